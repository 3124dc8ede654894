import type { IdentifiedPdu } from "../events/pdu.js";
import { authEventIds } from "./auth-chain.js";
import { compareCodePoints, type EventSource } from "./types.js";

/** The `m.room.power_levels` event an event cites in its `auth_events`, if any. */
function citedPowerLevels(event: IdentifiedPdu, events: EventSource): IdentifiedPdu | undefined {
  for (const id of authEventIds(event)) {
    const auth = events.get(id);
    if (auth && auth.type === "m.room.power_levels" && auth.state_key === "") return auth;
  }
  return undefined;
}

/**
 * The mainline of a power levels event P0: [P0, P1, …, Pn], each the power levels event cited by the
 * one before. Returned as id -> index, so P0 has index 0.
 */
export function mainlineOf(powerLevelsId: string | undefined, events: EventSource): Map<string, number> {
  const mainline = new Map<string, number>();
  let current = powerLevelsId === undefined ? undefined : events.get(powerLevelsId);
  // The `has` check stops a forged cycle of power levels events from looping forever.
  while (current && !mainline.has(current.event_id)) {
    mainline.set(current.event_id, mainline.size);
    current = citedPowerLevels(current, events);
  }
  return mainline;
}

/**
 * Mainline positions of events relative to one mainline. Many events share the same power levels
 * ancestors, so the answer for each power levels event walked is remembered: the whole sort costs
 * one walk per distinct power levels event rather than one per event.
 */
export class MainlinePositions {
  /** power levels event id -> index of the first mainline event at or below it (Infinity if none). */
  private readonly firstOnMainline = new Map<string, number>();

  constructor(
    private readonly mainline: ReadonlyMap<string, number>,
    private readonly events: EventSource,
  ) {}

  /**
   * The spec's mainline position of `event`: the index in the mainline of the first of e1, e2, …
   * (the power levels chain starting with the event's cited power levels, excluding the event
   * itself) that lies on the mainline, or Infinity when none does.
   */
  positionOf(event: IdentifiedPdu): number {
    const walked: string[] = [];
    let current = citedPowerLevels(event, this.events);
    let position = Infinity;
    while (current) {
      const known = this.firstOnMainline.get(current.event_id);
      if (known !== undefined) {
        position = known;
        break;
      }
      const index = this.mainline.get(current.event_id);
      if (index !== undefined) {
        position = index;
        break;
      }
      walked.push(current.event_id);
      // Marking before moving on also ends a forged cycle: the next visit finds this entry.
      this.firstOnMainline.set(current.event_id, Infinity);
      current = citedPowerLevels(current, this.events);
    }
    for (const id of walked) this.firstOnMainline.set(id, position);
    return position;
  }
}

/**
 * Step 3 of state res v2: order events by the mainline of the resolved power levels. An event based
 * on an older power levels event (a greater position) comes first; ties go to the earlier
 * origin_server_ts, then the smaller event id.
 */
export function mainlineSort(
  eventIds: readonly string[],
  powerLevelsId: string | undefined,
  events: EventSource,
): string[] {
  if (eventIds.length === 0) return [];
  const positions = new MainlinePositions(mainlineOf(powerLevelsId, events), events);
  const keyed: Array<{ id: string; position: number; ts: number }> = [];
  for (const id of eventIds) {
    const event = events.get(id);
    if (!event) continue;
    keyed.push({ id, position: positions.positionOf(event), ts: event.origin_server_ts });
  }
  keyed.sort((a, b) => {
    if (a.position !== b.position) return a.position > b.position ? -1 : 1;
    if (a.ts !== b.ts) return a.ts < b.ts ? -1 : 1;
    return compareCodePoints(a.id, b.id);
  });
  return keyed.map((k) => k.id);
}
