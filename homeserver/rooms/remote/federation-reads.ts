import type { CoreContext } from "../../core/core-context.js";
import type { Stores } from "../../storage/stores/stores.js";
import { errors } from "../../errors.js";
import { referenceIds, type IdentifiedPdu } from "../../events/pdu.js";
import { redactEvent } from "../../events/redaction.js";
import type { RoomVersion } from "../../events/room-versions.js";
import type { StoredEvent } from "../../storage/stores/events-store.js";
import { computeAuthChain } from "../../state/index.js";
import type { EventPersister } from "../persist/event-persister.js";
import { loadEventSource } from "./event-source.js";

const serverOf = (userId: string) => userId.slice(userId.indexOf(":") + 1);
/** A v12 m.room.create has no room_id: the room id is derived from its event id. */
export const roomIdOf = (pdu: IdentifiedPdu): string => pdu.room_id ?? `!${pdu.event_id.slice(1)}`;

/** The PDU as it goes over federation: v3+ event ids are derived by the receiver, never sent. */
export function toWirePdu(pdu: IdentifiedPdu, version: RoomVersion): Record<string, unknown> {
  if (version.eventIdFormat === "server-generated") return { ...pdu };
  const { event_id: _derived, ...wire } = pdu;
  return wire;
}

/**
 * A stored event as other servers are given it: a redacted event only in its redacted form (as Synapse
 * serves it), which its signatures still cover; the receiver sees the content hash differ and keeps it redacted.
 */
export function storedToWire(stored: StoredEvent, version: RoomVersion): Record<string, unknown> {
  if (!stored.redactedBy) return toWirePdu(stored.pdu, version);
  return toWirePdu({ ...(redactEvent(stored.pdu, version) as IdentifiedPdu), event_id: stored.pdu.event_id }, version);
}

/**
 * The read side of federation for rooms we hold: events, state at an event, auth chains, missing events and
 * backfill. A server may read a room only while one of its users is in it, or when the room is world-readable.
 */
export class FederationReads {
  constructor(
    private readonly core: CoreContext,
    private readonly persister: EventPersister,
    private readonly stores: Stores,
  ) {}

  async requireServerInRoom(origin: string, roomId: string): Promise<void> {
    const memory = await this.persister.roomMemory(roomId);
    if (!memory) throw errors.notFound("Unknown room");
    for (const [key, event] of memory.state) {
      if (key.startsWith("m.room.member\u0000") && event.content.membership === "join" && serverOf(event.state_key!) === origin) return;
    }
    if (memory.stateEvent("m.room.history_visibility")?.content.history_visibility === "world_readable") return;
    throw errors.forbidden(`${origin} is not in room ${roomId}`);
  }

  async event(origin: string, eventId: string): Promise<{ pdu: Record<string, unknown>; roomId: string }> {
    const stored = await this.stores.events.get(eventId);
    if (!stored) throw errors.notFound("Unknown event");
    const roomId = stored.pdu.room_id ?? `!${eventId.slice(1)}`;
    await this.requireServerInRoom(origin, roomId);
    const memory = (await this.persister.roomMemory(roomId))!;
    return { pdu: storedToWire(stored, memory.version), roomId };
  }

  /** The state before `eventId` and its auth chain, as ids (GET /state_ids) or events (GET /state). */
  async stateAt(origin: string, roomId: string, eventId: string): Promise<{ stateIds: string[]; authChainIds: string[] }> {
    await this.requireServerInRoom(origin, roomId);
    const stored = await this.stores.events.get(eventId);
    if (!stored || (stored.pdu.room_id ?? `!${eventId.slice(1)}`) !== roomId) throw errors.notFound("Unknown event");
    const state = stored.stateGroupBefore === null ? new Map<string, string>() : await this.stores.state.getState(stored.stateGroupBefore);
    const stateIds = [...state.values()];
    const source = await loadEventSource(this.stores.events, stateIds);
    return { stateIds, authChainIds: [...computeAuthChain(stateIds, source)] };
  }

  async eventsAsWire(roomId: string, ids: string[]): Promise<Record<string, unknown>[]> {
    const memory = await this.persister.roomMemory(roomId);
    if (!memory) throw errors.notFound("Unknown room");
    const events = await this.stores.events.getMany(ids);
    return ids.map((id) => events.get(id)).filter((e) => e !== undefined).map((e) => storedToWire(e!, memory.version));
  }

  async authChain(origin: string, roomId: string, eventId: string): Promise<string[]> {
    await this.requireServerInRoom(origin, roomId);
    const stored = await this.stores.events.get(eventId);
    if (!stored) throw errors.notFound("Unknown event");
    const authIds = referenceIds(stored.pdu.auth_events);
    const source = await loadEventSource(this.stores.events, authIds);
    // computeAuthChain gives what the start events depend on; the event's own auth events belong in it too.
    return [...new Set([...authIds, ...computeAuthChain(authIds, source)])];
  }

  /**
   * POST /get_missing_events: walk prev_events back from `latest`, stopping at `earliest`, depth below
   * `minDepth`, or `limit` events; returned oldest first.
   */
  async missingEvents(origin: string, roomId: string, earliest: string[], latest: string[], limit: number, minDepth: number): Promise<Record<string, unknown>[]> {
    await this.requireServerInRoom(origin, roomId);
    const stop = new Set(earliest);
    const seen = new Set<string>(latest);
    const found: StoredEvent[] = [];
    let frontier = latest;
    while (frontier.length > 0 && found.length < limit) {
      const events = await this.stores.events.getMany(frontier);
      const next: string[] = [];
      for (const event of events.values()) {
        // Never walk from (or into) another room's events, whatever ids the peer names.
        if (roomIdOf(event.pdu) !== roomId) continue;
        for (const prev of referenceIds(event.pdu.prev_events)) {
          if (seen.has(prev) || stop.has(prev)) continue;
          seen.add(prev);
          next.push(prev);
        }
      }
      const prevs = await this.stores.events.getMany(next);
      for (const id of next) {
        const prev = prevs.get(id);
        if (!prev || roomIdOf(prev.pdu) !== roomId || prev.pdu.depth < minDepth || found.length >= limit) continue;
        found.push(prev);
      }
      frontier = next.filter((id) => prevs.has(id));
    }
    const memory = (await this.persister.roomMemory(roomId))!;
    return found.sort((a, b) => a.pdu.depth - b.pdu.depth).map((e) => storedToWire(e, memory.version));
  }

  /** GET /backfill: up to `limit` events before and including `from`, newest first. */
  async backfill(origin: string, roomId: string, from: string[], limit: number): Promise<Record<string, unknown>[]> {
    await this.requireServerInRoom(origin, roomId);
    const seen = new Set<string>();
    const result: StoredEvent[] = [];
    let frontier = from;
    while (frontier.length > 0 && result.length < limit) {
      const events = await this.stores.events.getMany(frontier.filter((id) => !seen.has(id)));
      frontier.forEach((id) => seen.add(id));
      const next: string[] = [];
      for (const event of [...events.values()].sort((a, b) => b.pdu.depth - a.pdu.depth)) {
        if (result.length >= limit) break;
        if (roomIdOf(event.pdu) !== roomId) continue;
        result.push(event);
        for (const prev of referenceIds(event.pdu.prev_events)) if (!seen.has(prev)) next.push(prev);
      }
      frontier = [...new Set(next)];
    }
    const memory = (await this.persister.roomMemory(roomId))!;
    return result.map((e) => storedToWire(e, memory.version));
  }

  get serverName(): string {
    return this.core.serverName;
  }
}
