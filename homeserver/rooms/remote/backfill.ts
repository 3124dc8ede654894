import type { CoreContext } from "../../app/core-context.js";
import { referenceIds, type IdentifiedPdu } from "../../events/pdu.js";
import type { ServerKeys } from "../../federation-keys/server-keys.js";
import { TimelineStore } from "../../storage/stores/timeline-store.js";
import type { EventPersister } from "../persist-events.js";
import { checkIncomingPdu } from "./incoming-pdu.js";
import { roomIdOf } from "./federation-reads.js";
import type { RemoteEventIngest } from "./ingest-events.js";
import type { RemoteServers } from "./remote-servers.js";
import { RemoteRedactions } from "./remote-redactions.js";

const MAX_BACKFILL = 100;

/**
 * When /messages reaches the oldest event this server holds of a room it joined late, ask a server in the
 * room for the history before it (GET /backfill). The events are checked like any PDU and placed at
 * negative stream positions: /messages shows them, /sync (a live stream) never replays them.
 */
export class Backfiller {
  private readonly timeline: TimelineStore;
  private readonly redactions: RemoteRedactions;
  private readonly inFlight = new Map<string, Promise<number>>();

  constructor(
    private readonly core: CoreContext,
    private readonly persister: EventPersister,
    private readonly ingest: RemoteEventIngest,
    private readonly keys: ServerKeys,
    private readonly remote: RemoteServers,
  ) {
    this.timeline = new TimelineStore(core.db);
    this.redactions = new RemoteRedactions(persister.events);
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
    const known = await this.persister.events.knownStatus(checked.map((p) => p.event_id));
    // Newest first, so older events get lower positions and /messages walks back through them in order.
    const fresh = checked.filter((p) => !known.get(p.event_id) || known.get(p.event_id)!.outlier).sort((a, b) => b.depth - a.depth);
    let added = 0;
    for (const pdu of fresh) {
      await this.ingest.fetchMissingAuthEvents(origin, memory, pdu, { fetches: 0 });
      const verdict = await this.ingest.checkAgainstAuthEvents(memory, pdu);
      if (verdict !== true) continue;
      const position = await this.ingest.outliers.allocate();
      await this.core.database.transaction(async (tx) => {
        if (known.get(pdu.event_id)?.outlier) {
          // Held already for auth; it becomes part of the visible history now.
          await tx.updateTable("events").set({ outlier: false, stream_pos: position, state_group_before: stateGroup }).where("event_id", "=", pdu.event_id).execute();
          return;
        }
        // The state at backfilled events is not fetched; history visibility reads the state our
        // oldest event started from, which puts our users outside the room at those events.
        await this.persister.events.insertMany(tx, [
          { roomId, streamPos: position, roomSeq: position, pdu, unsigned: null, senderDevice: null, txnId: null, stateGroupBefore: stateGroup, stateGroupAfter: null },
        ]);
        // Newest first: a redaction usually comes before its target here, and is applied when the target does.
        await this.redactions.redactionWritten(tx, memory, pdu);
        await this.redactions.targetsWritten(tx, memory, [pdu]);
      });
      added++;
    }
    return added;
  }
}
