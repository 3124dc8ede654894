import { LruCache } from "../../core/lru-cache.js";
import type { CurrentStateReadsStore } from "../../storage/stores/current-state-reads-store.js";
import type { EventsStore, StoredEvent } from "../../storage/stores/events-store.js";
import type { EventContext } from "./notification-body.js";

/** Events whose context is kept: one message into a big room is sent to every member's pushers at once. */
const CACHE_SIZE = 1_000;

/**
 * The room's name and canonical alias and the sender's display name in the room, as they are when the
 * notification is sent (Synapse reads them then too), kept per event for the pushers that follow.
 */
export class EventContexts {
  private readonly cache = new LruCache<string, Promise<EventContext>>(CACHE_SIZE);
  private readonly events = new LruCache<string, Promise<StoredEvent | undefined>>(CACHE_SIZE);

  constructor(
    private readonly stores: {
      currentState: Pick<CurrentStateReadsStore, "eventId">;
      events: Pick<EventsStore, "getMany">;
    },
  ) {}

  /** The stored event, read once for all the pushers it goes to. */
  event(eventId: string): Promise<StoredEvent | undefined> {
    let found = this.events.get(eventId);
    if (!found) {
      found = this.stores.events.getMany([eventId]).then((events) => events.get(eventId));
      this.events.set(eventId, found);
      found.catch(() => this.events.delete(eventId));
    }
    return found;
  }

  of(roomId: string, eventId: string, sender: string): Promise<EventContext> {
    let found = this.cache.get(eventId);
    if (!found) {
      found = this.read(roomId, sender);
      this.cache.set(eventId, found);
      // A failed read is not kept: the next pusher reads again.
      found.catch(() => this.cache.delete(eventId));
    }
    return found;
  }

  private async read(roomId: string, sender: string): Promise<EventContext> {
    const { currentState, events } = this.stores;
    const [nameId, aliasId, memberId] = await Promise.all([
      currentState.eventId(roomId, "m.room.name", ""),
      currentState.eventId(roomId, "m.room.canonical_alias", ""),
      currentState.eventId(roomId, "m.room.member", sender),
    ]);
    const ids = [nameId, aliasId, memberId].filter((id): id is string => id !== undefined);
    const stored = ids.length === 0 ? new Map() : await events.getMany(ids);
    const contentOf = (id: string | undefined) => (id === undefined ? undefined : (stored.get(id)?.pdu.content as Record<string, unknown> | undefined));
    const context: EventContext = {};
    const name = contentOf(nameId)?.name;
    if (typeof name === "string" && name !== "") context.roomName = name;
    const alias = contentOf(aliasId)?.alias;
    if (typeof alias === "string" && alias !== "") context.roomAlias = alias;
    const displayname = contentOf(memberId)?.displayname;
    if (typeof displayname === "string" && displayname !== "") context.senderDisplayName = displayname;
    return context;
  }
}
