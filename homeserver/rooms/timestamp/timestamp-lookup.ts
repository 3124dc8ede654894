import { errors } from "../../errors.js";
import type { StoredEvent } from "../../storage/stores/events-store.js";
import type { TimestampLookupStore } from "../../storage/stores/timestamp-lookup-store.js";
import type { Requester } from "../../users/requester.js";
import type { RoomAccessChecker } from "../room-access.js";

export interface TimestampMatch {
  event_id: string;
  origin_server_ts: number;
}

/** Candidates checked per visibility read, and at most this many looked at (then: not found). */
const BATCH = 50;
const MAX_SCAN = 500;

/**
 * /timestamp_to_event: the event closest to a time in one direction (dir "f": the first at or after it,
 * "b": the last at or before it). A client gets only an event it may see, and nothing after it left the
 * room; a server in the room gets the closest event we hold. Only our own copy of the room is searched:
 * we do not ask other servers to fill gaps in our history.
 */
export class TimestampLookup {
  constructor(
    private readonly store: TimestampLookupStore,
    private readonly access: RoomAccessChecker,
  ) {}

  async forClient(requester: Requester, roomId: string, ts: number, dir: "f" | "b"): Promise<TimestampMatch> {
    const access = await this.access.require(requester.userId, roomId);
    const until = access.kind === "departed" ? access.until : undefined;
    const candidates = await this.store.nearest(roomId, ts, dir, MAX_SCAN);
    // In order of closeness, a batch at a time: the visibility filter reads state per batch.
    for (let i = 0; i < candidates.length; i += BATCH) {
      const batch = candidates.slice(i, i + BATCH).filter((e) => until === undefined || e.streamPos <= until);
      const visible = await this.access.visibilityFilter.filter(batch, access.viewer);
      if (visible.length > 0) return matchOf(visible[0]);
    }
    throw notFound(ts, dir);
  }

  async forServer(roomId: string, ts: number, dir: "f" | "b"): Promise<TimestampMatch> {
    const [event] = await this.store.nearest(roomId, ts, dir, 1);
    if (!event) throw notFound(ts, dir);
    return matchOf(event);
  }
}

function matchOf(event: StoredEvent): TimestampMatch {
  return { event_id: event.pdu.event_id, origin_server_ts: event.pdu.origin_server_ts };
}

function notFound(ts: number, dir: "f" | "b") {
  return errors.notFound(`Unable to find event from ${ts} in direction ${dir}`);
}
