import type { StoredEvent } from "../../storage/stores/events-store.js";
import type { AccountDataService } from "../../users/account-data.js";
import type { EventLookup } from "./receipt-threads.js";
import { FULLY_READ } from "./receipt-types.js";

/**
 * The fully read marker: the room account data event m.fully_read {event_id}, which reaches the user's
 * other clients through sync's account data. As Synapse does, it only moves forward: a marker at an event
 * before the current one (on the room stream) is ignored.
 */
export class FullyReadMarkers {
  /** One update per (user, room) at a time, so two concurrent markers cannot both pass the check. */
  private readonly tails = new Map<string, Promise<void>>();

  constructor(
    private readonly accountData: Pick<AccountDataService, "get" | "set">,
    private readonly events: EventLookup,
  ) {}

  set(userId: string, roomId: string, event: StoredEvent): Promise<void> {
    return this.serialized(`${userId}\u0000${roomId}`, async () => {
      const current = (await this.accountData.get(userId, roomId, FULLY_READ))?.event_id;
      if (typeof current === "string") {
        if (current === event.pdu.event_id) return;
        const previous = await this.events.get(current);
        if (previous && previous.streamPos >= event.streamPos) return;
      }
      await this.accountData.set(userId, roomId, FULLY_READ, { event_id: event.pdu.event_id });
    });
  }

  private async serialized(key: string, work: () => Promise<void>): Promise<void> {
    const run = (this.tails.get(key) ?? Promise.resolve()).then(work);
    const tail = run.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      await run;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
