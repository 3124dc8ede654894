import type { RoomVersion } from "../../events/room-versions.js";
import type { IgnoredUsersSource } from "../../users/ignored/ignored-users.js";
import type { StoredEvent } from "../../storage/stores/events-store.js";
import type { RelationsStore, ThreadSummary } from "../../storage/stores/relations-store.js";
import { toClientEvent, type ClientEvent, type Viewer as ClientViewer } from "../client-event.js";
import type { AggregationSource } from "../read-formatting.js";
import type { RoomAccessChecker } from "../room-access.js";
import { relationOf } from "./relation-of.js";

/** The rel_types the server aggregates (m.annotation is not, since v1.7: clients count reactions themselves). */
const AGGREGATED = ["m.thread", "m.replace", "m.reference"] as const;
/** How far back a thread is searched for an event the reader may see when its newest one is hidden from them. */
const HIDDEN_LATEST_LOOKBACK = 20;

/**
 * Bundled aggregations (the spec's "Aggregations of child events"), for a batch of events at once:
 * - m.thread: the newest thread event the reader may see (itself with its aggregations), how many thread events
 *   point at the root, and whether the reader sent the root or any of them;
 * - m.replace: the most recent valid edit, not for a redacted original;
 * - m.reference: the ids of the referencing events.
 * Redacted children do not count (redacting a child breaks its relationship), nor do those of ignored users.
 * State events get none, nor do edits and annotations (nothing may relate to them). One query tells which of the
 * batch have children at all, so a page without relations costs one query.
 */
export class BundledAggregations implements AggregationSource {
  constructor(
    private readonly relations: RelationsStore,
    private readonly ignored: IgnoredUsersSource,
    private readonly access: RoomAccessChecker,
  ) {}

  bundle(events: readonly StoredEvent[], version: RoomVersion, now: number, viewer: ClientViewer): Promise<ReadonlyMap<string, Record<string, unknown>>> {
    return this.bundleAt(events, version, now, viewer, true);
  }

  private async bundleAt(events: readonly StoredEvent[], version: RoomVersion, now: number, viewer: ClientViewer, withThreads: boolean) {
    const result = new Map<string, Record<string, unknown>>();
    const eligible = events.filter(mayHaveAggregations);
    if (eligible.length === 0) return result;
    const roomId = roomIdOf(eligible[0]);
    const parents = eligible.filter((e) => roomIdOf(e) === roomId);
    const wanted = withThreads ? AGGREGATED : AGGREGATED.filter((t) => t !== "m.thread");
    const found = await this.relations.childRelTypes(roomId, parents.map((e) => e.pdu.event_id), wanted);
    if (found.size === 0) return result;
    const having = (relType: string, notRedacted = false) =>
      parents.filter((e) => found.get(e.pdu.event_id)?.has(relType) && !(notRedacted && e.redactedBy)).map((e) => e.pdu.event_id);
    const threadRoots = having("m.thread");
    const referenced = having("m.reference");
    // The spec: an edit is not bundled with a redacted original, whatever became of the edit.
    const edited = having("m.replace", true);
    const ignored = threadRoots.length > 0 || referenced.length > 0 ? [...(await this.ignored.ignoredBy(viewer.userId))] : [];
    const [threads, edits, references] = await Promise.all([
      this.relations.threadSummaries(roomId, threadRoots, viewer.userId, ignored),
      this.relations.latestEdits(roomId, edited),
      this.relations.references(roomId, referenced, ignored),
    ]);
    const visible = await this.visibleOf(roomId, viewer.userId, [...[...threads.values()].map((t) => t.latest), ...edits.values()]);
    for (const [rootId, summary] of threads) {
      if (!visible.has(summary.latest.pdu.event_id)) {
        const earlier = await this.latestVisibleBefore(roomId, rootId, summary.latest, viewer.userId, ignored);
        if (earlier) summary.latest = earlier;
        else threads.delete(rootId);
      }
    }
    const latestEvents = [...threads.values()].map((t) => t.latest);
    const nested = withThreads && latestEvents.length > 0 ? await this.bundleAt(latestEvents, version, now, viewer, false) : new Map();
    const format = (event: StoredEvent): ClientEvent => {
      const formatted = toClientEvent(event, version, now, viewer);
      const relations = nested.get(event.pdu.event_id);
      if (relations) formatted.unsigned = { ...formatted.unsigned, "m.relations": relations };
      return formatted;
    };
    const senders = new Map(parents.map((e) => [e.pdu.event_id, e.pdu.sender]));
    for (const [rootId, summary] of threads) {
      entry(result, rootId)["m.thread"] = threadAggregation(summary, senders.get(rootId) === viewer.userId, format);
    }
    for (const [parentId, edit] of edits) if (visible.has(edit.pdu.event_id)) entry(result, parentId)["m.replace"] = format(edit);
    for (const [parentId, ids] of references) {
      if (ids.length > 0) entry(result, parentId)["m.reference"] = { chunk: ids.map((eventId) => ({ event_id: eventId })) };
    }
    return result;
  }

  /** The ids of `events` the user may see under history visibility (the child may be newer than what they may read). */
  private async visibleOf(roomId: string, userId: string, events: StoredEvent[]): Promise<Set<string>> {
    if (events.length === 0) return new Set();
    const access = await this.access.resolve(userId, roomId);
    if (!access) return new Set();
    const kept = await this.access.visibilityFilter.filter(events, access.viewer);
    return new Set(kept.map((e) => e.pdu.event_id));
  }

  /** When the thread's newest event is hidden from the reader (they left before it), the newest one they may see. */
  private async latestVisibleBefore(roomId: string, rootId: string, hidden: StoredEvent, userId: string, ignored: readonly string[]) {
    const earlier = await this.relations.children({
      roomId,
      parentId: rootId,
      relType: "m.thread",
      from: hidden.streamPos - 1,
      dir: "b",
      limit: HIDDEN_LATEST_LOOKBACK,
      depth: 1,
    });
    const candidates = earlier.filter((e) => !ignored.includes(e.pdu.sender));
    const visible = await this.visibleOf(roomId, userId, candidates);
    return candidates.find((e) => visible.has(e.pdu.event_id));
  }
}

function mayHaveAggregations(event: StoredEvent): boolean {
  if (event.pdu.state_key !== undefined) return false;
  const relType = relationOf(event.pdu)?.relType;
  return relType !== "m.annotation" && relType !== "m.replace";
}

function threadAggregation(summary: ThreadSummary, sentRoot: boolean, format: (event: StoredEvent) => ClientEvent) {
  return {
    latest_event: format(summary.latest),
    count: summary.count,
    current_user_participated: sentRoot || summary.participated,
  };
}

function entry(result: Map<string, Record<string, unknown>>, eventId: string): Record<string, unknown> {
  let relations = result.get(eventId);
  if (!relations) result.set(eventId, (relations = {}));
  return relations;
}

function roomIdOf(event: StoredEvent): string {
  return event.pdu.room_id ?? `!${event.pdu.event_id.slice(1)}`;
}
