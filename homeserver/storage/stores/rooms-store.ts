import type { Db, Tx } from "../database.js";

export interface RoomRow {
  roomId: string;
  roomVersion: string;
  creator: string;
  createdTs: number;
  directoryVisibility: "public" | "private";
}

export interface CurrentStateRow {
  type: string;
  stateKey: string;
  eventId: string;
  membership: string | null;
  streamPos: number;
}

/** Rooms, their current state and forward extremities. */
export class RoomsStore {
  constructor(private readonly db: Db) {}

  async create(tx: Tx, room: RoomRow): Promise<void> {
    await tx
      .insertInto("rooms")
      .values({
        room_id: room.roomId,
        room_version: room.roomVersion,
        creator: room.creator,
        created_ts: room.createdTs,
        directory_visibility: room.directoryVisibility,
        last_seq: 0,
      })
      .execute();
  }

  async get(roomId: string, db: Db | Tx = this.db): Promise<RoomRow | undefined> {
    const row = await db.selectFrom("rooms").selectAll().where("room_id", "=", roomId).executeTakeFirst();
    return row
      ? {
          roomId: row.room_id,
          roomVersion: row.room_version,
          creator: row.creator,
          createdTs: Number(row.created_ts),
          directoryVisibility: row.directory_visibility,
        }
      : undefined;
  }

  /**
   * Takes `count` consecutive per-room sequence numbers and returns the last; the row update also locks the
   * room until commit, which serialises writers across processes.
   */
  async advanceSeq(tx: Tx, roomId: string, count: number): Promise<number> {
    const row = await tx
      .updateTable("rooms")
      .set((eb) => ({ last_seq: eb("last_seq", "+", count) }))
      .where("room_id", "=", roomId)
      .returning("last_seq")
      .executeTakeFirstOrThrow();
    return Number(row.last_seq);
  }

  async setDirectoryVisibility(roomId: string, visibility: "public" | "private"): Promise<void> {
    await this.db.updateTable("rooms").set({ directory_visibility: visibility }).where("room_id", "=", roomId).execute();
  }

  async publicRoomIds(): Promise<string[]> {
    const rows = await this.db.selectFrom("rooms").select("room_id").where("directory_visibility", "=", "public").execute();
    return rows.map((r) => r.room_id);
  }

  async currentState(roomId: string, db: Db | Tx = this.db): Promise<CurrentStateRow[]> {
    const rows = await db.selectFrom("current_state").selectAll().where("room_id", "=", roomId).execute();
    return rows.map((r) => ({ type: r.type, stateKey: r.state_key, eventId: r.event_id, membership: r.membership, streamPos: Number(r.stream_pos) }));
  }

  async setCurrentState(tx: Tx, roomId: string, row: CurrentStateRow): Promise<void> {
    await tx
      .insertInto("current_state")
      .values({ room_id: roomId, type: row.type, state_key: row.stateKey, event_id: row.eventId, membership: row.membership, stream_pos: row.streamPos })
      .onConflict((oc) =>
        oc.columns(["room_id", "type", "state_key"]).doUpdateSet({ event_id: row.eventId, membership: row.membership, stream_pos: row.streamPos }),
      )
      .execute();
  }

  async deleteCurrentState(tx: Tx, roomId: string, type: string, stateKey: string): Promise<void> {
    await tx.deleteFrom("current_state").where("room_id", "=", roomId).where("type", "=", type).where("state_key", "=", stateKey).execute();
  }

  async setForwardExtremities(tx: Tx, roomId: string, eventIds: string[]): Promise<void> {
    await tx.deleteFrom("forward_extremities").where("room_id", "=", roomId).execute();
    if (eventIds.length > 0) {
      await tx.insertInto("forward_extremities").values(eventIds.map((event_id) => ({ room_id: roomId, event_id }))).execute();
    }
  }

  async forwardExtremities(roomId: string, db: Db | Tx = this.db): Promise<string[]> {
    const rows = await db.selectFrom("forward_extremities").select("event_id").where("room_id", "=", roomId).execute();
    return rows.map((r) => r.event_id);
  }

  /** One statement (a data-modifying CTE): this runs on every send, so each round trip counts. */
  async replaceForwardExtremities(tx: Tx, roomId: string, remove: string[], add: string): Promise<void> {
    const toRemove = remove.filter((id) => id !== add);
    const row = { room_id: roomId, event_id: add };
    if (toRemove.length === 0) {
      await tx.insertInto("forward_extremities").values(row).onConflict((oc) => oc.doNothing()).execute();
      return;
    }
    await tx
      .with("removed", (db) => db.deleteFrom("forward_extremities").where("room_id", "=", roomId).where("event_id", "in", toRemove))
      .insertInto("forward_extremities")
      .values(row)
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  /** Rooms where the user's current membership is one of `memberships`. */
  async roomsForUser(userId: string, memberships: string[]): Promise<Array<{ roomId: string; membership: string; eventId: string }>> {
    return (await this.roomsForUsers([userId], memberships)).get(userId) ?? [];
  }

  /** roomsForUser for several users in one statement; a user in none of the rooms has no entry. */
  async roomsForUsers(userIds: readonly string[], memberships: string[]): Promise<Map<string, Array<{ roomId: string; membership: string; eventId: string }>>> {
    const byUser = new Map<string, Array<{ roomId: string; membership: string; eventId: string }>>();
    if (userIds.length === 0) return byUser;
    const rows = await this.db
      .selectFrom("current_state")
      .select(["state_key", "room_id", "membership", "event_id"])
      .where("type", "=", "m.room.member")
      .where("state_key", "in", [...userIds])
      .where("membership", "in", memberships)
      .execute();
    for (const r of rows) {
      let rooms = byUser.get(r.state_key);
      if (!rooms) byUser.set(r.state_key, (rooms = []));
      rooms.push({ roomId: r.room_id, membership: r.membership!, eventId: r.event_id });
    }
    return byUser;
  }

  async joinedMembers(roomId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom("current_state")
      .select("state_key")
      .where("room_id", "=", roomId)
      .where("type", "=", "m.room.member")
      .where("membership", "=", "join")
      .execute();
    return rows.map((r) => r.state_key);
  }
}
