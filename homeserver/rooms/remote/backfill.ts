import type { CoreContext } from "../../core/core-context.js";
import type { Stores } from "../../storage/stores/stores.js";
import { referenceIds, type IdentifiedPdu } from "../../events/pdu.js";
import type { ServerKeys } from "../../federation-keys/server-keys.js";
import { TimelineStore } from "../../storage/stores/timeline-store.js";
import type { EventPersister } from "../persist/event-persister.js";
import { checkIncomingPdu } from "./incoming-pdu.js";
import { roomIdOf } from "./federation-reads.js";
import type { RemoteEventIngest } from "./ingest-events.js";
import type { RemoteServers } from "./remote-servers.js";

const MAX_BACKFILL = 100;

/**
 * When /messages reaches the oldest event this server holds of a room it joined late, ask a server in the
 * room for the history before it (GET /backfill). The events are checked like any PDU and placed at
 * negative stream positions: /messages shows them, /sync (a live stream) never replays them.
 */
export class Backfiller {
  private readonly timeline: TimelineStore;
  private readonly inFlight = new Map<string, Promise<number>>();

  constructor(
    private readonly core: CoreContext,
    private readonly persister: EventPersister,
    private readonly stores: Stores,
    private readonly ingest: RemoteEventIngest,
    private readonly keys: ServerKeys,
    private readonly remote: RemoteServers,
  ) {
    this.timeline = stores.timeline;
  }

  /** Fetches up to `limit` older events; resolves to how many were added (0 when there is nothing more). */
  backfill(roomId: string, limit: number): Promise<number> {
    let running = this.inFlight.get(roomId);
    if (!running) {
      running = this.persister
        .serialise(roomId, () => this.run(roomId, Math.min(limit, MAX_BACKFILL)))
        .catch((error) => {
          this.core.logger.info({ roomId, err: (error as Error).message }, "backfill failed");
          return 0;
        })
        .finally(() => this.inFlight.delete(roomId));
      this.inFlight.set(roomId, running);
    }
    return running;
  }

  private async run(roomId: string, limit: number): Promise<number> {
    const memory = await this.persister.roomMemory(roomId);
    const earliest = await this.timeline.earliest(roomId);
    if (!memory || !earliest || earliest.pdu.type === "m.room.create") return 0;
    const missing = referenceIds(earliest.pdu.prev_events);
    if (missing.length === 0) return 0;
    const servers = memory.joinedServers(this.core.serverName);
    for (const server of servers) {
      let raws: unknown[];
      try {
        raws = await this.remote.backfill(server, roomId, missing, limit);
      } catch (error) {
        this.core.logger.info({ roomId, server, err: (error as Error).message }, "backfill request failed");
        continue;
      }
      return this.store(server, roomId, raws, earliest.stateGroupBefore);
    }
    return 0;
  }

  private async store(origin: string, roomId: string, raws: unknown[], stateGroup: number | null): Promise<number> {
    const memory = (await this.persister.roomMemory(roomId))!;
    const checked: IdentifiedPdu[] = [];
    for (const raw of raws) {
      const check = await checkIncomingPdu(raw, memory.version, this.keys);
      if (check.ok && roomIdOf(check.pdu) === roomId) checked.push(check.pdu);
    }
    const known = await this.stores.events.knownStatus(checked.map((p) => p.event_id));
    // Newest first, so older events get lower positions and /messages walks back through them in order.
    const fresh = checked.filter((p) => !known.get(p.event_id) || known.get(p.event_id)!.outlier).sort((a, b) => b.depth - a.depth);
    let added = 0;
    for (const pdu of fresh) {
      await this.ingest.fetchMissingAuthEvents(origin, memory, pdu, { fetches: 0 });
      const verdict = await this.ingest.checkAgainstAuthEvents(memory, pdu);
      if (verdict !== true) continue;
      // Newest first: a redaction usually comes before its target here, and is applied when the target does.
      const heldAsOutlier = known.get(pdu.event_id)?.outlier === true;
      await this.persister.writeAccepted({ memory, events: [{ pdu, placement: { kind: "backfilled", stateBeforeGroup: stateGroup, heldAsOutlier } }] });
      added++;
    }
    return added;
  }
}
