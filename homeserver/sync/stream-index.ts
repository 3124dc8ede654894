import type { Notifier } from "../streams/notifier.js";

/**
 * Which rooms and users had something new on a stream, and at what position, learnt from the notifier.
 * It lets a woken syncer skip the database for everything that did not change (a message into one room
 * must not make 500 syncers each ask the database which of their rooms changed).
 *
 * Only positions are recorded, never data. It is exact for positions after `startedAt`: every writer
 * already has to notify the room (and the member, for membership events) when a position is published, or
 * waiting syncers would never wake; the notifier calls us synchronously at that moment, so any position a
 * reader can see has been recorded. For an older `since` the index answers "don't know".
 */
export class StreamIndex {
  private readonly roomEvents = new Map<string, number>();
  private readonly userMemberships = new Map<string, number>();
  private readonly userAccountData = new Map<string, number>();
  /** Users by the position at which a to-device message for one of their devices was last published. */
  private readonly userToDevice = new Map<string, number>();
  /** Rooms by the position of their latest membership event (an events notice that names users). */
  private readonly roomMemberships = new Map<string, number>();

  constructor(
    notifier: Notifier,
    readonly startedAt: { events: number; accountData: number; toDevice?: number },
  ) {
    notifier.subscribe((stream, position, audience) => {
      if (stream === "events") {
        for (const room of audience.rooms ?? []) raise(this.roomEvents, room, position);
        for (const user of audience.users ?? []) raise(this.userMemberships, user, position);
        if (audience.users && [...audience.users].length > 0) for (const room of audience.rooms ?? []) raise(this.roomMemberships, room, position);
      } else if (stream === "accountData") {
        for (const user of audience.users ?? []) raise(this.userAccountData, user, position);
      } else if (stream === "toDevice") {
        for (const user of audience.users ?? []) raise(this.userToDevice, user, position);
      }
    });
  }

  /** Rooms among `roomIds` with events after `since`; undefined when `since` predates the index. */
  roomsWithEventsAfter(roomIds: Iterable<string>, since: number): Set<string> | undefined {
    if (since < this.startedAt.events) return undefined;
    const changed = new Set<string>();
    for (const room of roomIds) if ((this.roomEvents.get(room) ?? -1) > since) changed.add(room);
    return changed;
  }

  /** Rooms among `roomIds` where someone's membership changed after `since`; undefined when `since` predates the index. */
  roomsWithMembershipChangesAfter(roomIds: Iterable<string>, since: number): string[] | undefined {
    if (since < this.startedAt.events) return undefined;
    const changed: string[] = [];
    for (const room of roomIds) if ((this.roomMemberships.get(room) ?? -1) > since) changed.push(room);
    return changed;
  }

  /** Whether the user's membership of any room may have changed after `since`. */
  membershipMayHaveChanged(userId: string, since: number): boolean {
    if (since < this.startedAt.events) return true;
    return (this.userMemberships.get(userId) ?? -1) > since;
  }

  /** Whether a to-device message for any device of the user may have been published after `since`. */
  toDeviceMayHaveArrived(userId: string, since: number): boolean {
    if (since < (this.startedAt.toDevice ?? Infinity)) return true;
    return (this.userToDevice.get(userId) ?? -1) > since;
  }

  accountDataMayHaveChanged(userId: string, since: number): boolean {
    if (since < this.startedAt.accountData) return true;
    return (this.userAccountData.get(userId) ?? -1) > since;
  }
}

function raise(index: Map<string, number>, key: string, position: number): void {
  if ((index.get(key) ?? -1) < position) index.set(key, position);
}
