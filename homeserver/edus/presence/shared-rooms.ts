import type { RoomServices } from "../../rooms/index.js";

export const serverOf = (userId: string): string => userId.slice(userId.indexOf(":") + 1);


/**
 * Who shares a joined room with whom, for presence visibility and fan-out. A user's rooms come from current
 * state (one indexed query); memberships in a given room are read from the room's in-memory state.
 */
export class SharedRooms {
  constructor(private readonly rooms: Pick<RoomServices, "joinedRoomIds" | "persister">) {}

  joinedRooms(userId: string): Promise<string[]> {
    return this.rooms.joinedRoomIds(userId);
  }

  /** Exact, from the viewer's current rooms: for GET /presence. */
  async sharesRoom(viewer: string, other: string): Promise<boolean> {
    if (viewer === other) return true;
    return this.bothJoinedIn(await this.joinedRooms(viewer), viewer, other);
  }

  /**
   * Whether `viewer` and `other` are both joined to one of `rooms` (the rooms `other` was known to be in): no
   * database read, as sync asks it for every change it might send.
   */
  async bothJoinedIn(rooms: readonly string[], viewer: string, other: string): Promise<boolean> {
    return this.bothJoinedInMemory(rooms, viewer, other) ?? (await this.bothJoinedInLoading(rooms, viewer, other));
  }

  /** The same from rooms already in memory, synchronously; undefined when one of `rooms` would need loading. */
  bothJoinedInMemory(rooms: readonly string[], viewer: string, other: string): boolean | undefined {
    let unknown = false;
    for (const roomId of rooms) {
      const memory = this.rooms.persister.loadedRoomMemory(roomId);
      if (!memory) unknown = true;
      else if (memory.membershipOf(viewer) === "join" && memory.membershipOf(other) === "join") return true;
    }
    return unknown ? undefined : false;
  }

  private async bothJoinedInLoading(rooms: readonly string[], viewer: string, other: string): Promise<boolean> {
    for (const roomId of rooms) {
      const memory = await this.rooms.persister.roomMemory(roomId);
      if (memory?.membershipOf(viewer) === "join" && memory.membershipOf(other) === "join") return true;
    }
    return false;
  }

  /** The users joined to `roomId` now, from its in-memory state. */
  async joinedMembers(roomId: string): Promise<string[]> {
    const memory = await this.rooms.persister.roomMemory(roomId);
    if (!memory) return [];
    const members: string[] = [];
    for (const event of memory.state.values()) {
      if (event.type === "m.room.member" && event.content.membership === "join" && typeof event.state_key === "string") members.push(event.state_key);
    }
    return members;
  }

  /** The servers with a joined member in any of `roomIds`, other than `except`. */
  async serversIn(roomIds: readonly string[], except: string): Promise<Set<string>> {
    const servers = new Set<string>();
    for (const roomId of roomIds) {
      const memory = await this.rooms.persister.roomMemory(roomId);
      if (memory) for (const server of memory.joinedServers(except)) servers.add(server);
    }
    return servers;
  }
}
