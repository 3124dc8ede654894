interface RoomTyping {
  /** Typing user -> when their typing ends (clock ms). */
  until: Map<string, number>;
  /** Typing-stream position of the room's last change. */
  changedAt: number;
  /** When the room last became empty: empty rooms are forgotten after a while. */
  emptySince?: number;
}

/**
 * Who is typing in each room, and until when. Rooms whose set became empty are remembered for a while so an
 * incremental sync can still send the empty list; after that a client from long ago misses only a "stopped"
 * it would have timed out itself (Synapse forgets them the same way).
 */
export class TypingRooms {
  private readonly rooms = new Map<string, RoomTyping>();

  /** True when the user was not typing before (the room's set changed). */
  start(roomId: string, userId: string, until: number): boolean {
    let room = this.rooms.get(roomId);
    if (!room) this.rooms.set(roomId, (room = { until: new Map(), changedAt: 0 }));
    const changed = !room.until.has(userId);
    room.until.set(userId, until);
    room.emptySince = undefined;
    return changed;
  }

  /** True when the user was typing (the room's set changed). */
  stop(roomId: string, userId: string, now: number): boolean {
    const room = this.rooms.get(roomId);
    if (!room?.until.delete(userId)) return false;
    if (room.until.size === 0) room.emptySince = now;
    return true;
  }

  isTyping(roomId: string, userId: string): boolean {
    return this.rooms.get(roomId)?.until.has(userId) ?? false;
  }

  markChanged(roomId: string, position: number): void {
    const room = this.rooms.get(roomId);
    if (room) room.changedAt = position;
  }

  changedAt(roomId: string): number | undefined {
    return this.rooms.get(roomId)?.changedAt;
  }

  users(roomId: string): string[] {
    return [...(this.rooms.get(roomId)?.until.keys() ?? [])];
  }

  /** Every (room, user) whose typing has ended by `now`. */
  due(now: number): Array<{ roomId: string; userId: string }> {
    const due: Array<{ roomId: string; userId: string }> = [];
    for (const [roomId, room] of this.rooms) {
      for (const [userId, until] of room.until) if (until <= now) due.push({ roomId, userId });
    }
    return due;
  }

  /** Every (room, user) typing now. */
  *typing(): Iterable<{ roomId: string; userId: string }> {
    for (const [roomId, room] of this.rooms) for (const userId of room.until.keys()) yield { roomId, userId };
  }

  /** The earliest end of anyone's typing, if anyone types. */
  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const room of this.rooms.values()) for (const until of room.until.values()) if (next === undefined || until < next) next = until;
    return next;
  }

  forgetEmptySince(before: number): void {
    for (const [roomId, room] of this.rooms) if (room.emptySince !== undefined && room.emptySince < before) this.rooms.delete(roomId);
  }
}
