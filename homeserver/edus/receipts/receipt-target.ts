import { errors } from "../../errors.js";
import type { RoomReads } from "../../rooms/room-reads.js";
import { roomIdOf } from "../../rooms/timeline-reads.js";
import type { StoredEvent } from "../../storage/stores/events-store.js";
import { requireStorable } from "../../users/text.js";
import { isEventInThread } from "./receipt-threads.js";

/** Checks what a local user's receipt or read marker points at. */
export class ReceiptTargets {
  constructor(private readonly reads: Pick<RoomReads, "access" | "reader" | "visibility">) {}

  /**
   * The event, when the user is joined to the room and may see it: 403 for a user who is not joined,
   * 404 for an event that is not in the room or is hidden from them (not revealing whether it exists).
   */
  async visibleEvent(userId: string, roomId: string, eventId: string): Promise<StoredEvent> {
    requireStorable(roomId, "Room ID");
    requireStorable(eventId, "Event ID");
    const access = await this.reads.access.resolve(userId, roomId);
    if (access?.kind !== "joined") throw errors.forbidden(`You are not joined to ${roomId}`);
    const event = await this.reads.reader.events.get(eventId);
    if (!event || roomIdOf(event) !== roomId) throw errors.notFound("Event not found");
    if ((await this.reads.visibility.filter([event], access.viewer)).length === 0) throw errors.notFound("Event not found");
    return event;
  }

  /** The spec's 400 M_INVALID_PARAM when `event` is not part of the thread the receipt names. */
  async requireInThread(event: StoredEvent, threadId: string): Promise<void> {
    if (!(await isEventInThread(this.reads.reader.events, event, threadId))) {
      throw errors.invalidParam(`event_id ${event.pdu.event_id} is not related to thread ${threadId}`);
    }
  }
}
