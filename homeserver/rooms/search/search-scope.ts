import { roomListAllows, type RoomEventFilter } from "../../core/filters.js";
import type { EventSearchStore, SearchableRoom, SearchWindow } from "../../storage/stores/event-search-store.js";
import type { TimelineStore } from "../../storage/stores/timeline-store.js";
import type { Viewer } from "../history-visibility.js";

export interface ScopedRoom extends SearchableRoom {
  /** The last position the user may read in the room: now for a joined room, their leave for a departed one. */
  until: number;
}

/**
 * The rooms one search looks in, and how the user views each. As /messages does: a joined user reads all
 * that history visibility allows, a user who left or was banned (and did not forget the room) reads up to
 * their leave, and rooms the user is not in are not searched, whatever their history visibility.
 */
export class SearchScope {
  private readonly viewers = new Map<string, Promise<Viewer>>();

  private constructor(
    private readonly userId: string,
    private readonly rooms: ReadonlyMap<string, ScopedRoom>,
    private readonly timeline: TimelineStore,
  ) {}

  static async of(
    userId: string,
    deps: { store: EventSearchStore; timeline: TimelineStore },
    published: number,
    filter: RoomEventFilter,
    onlyRoom?: string,
  ): Promise<SearchScope> {
    const rooms = new Map<string, ScopedRoom>();
    for (const room of await deps.store.searchableRooms(userId)) {
      if (!roomListAllows(filter.rooms, filter.not_rooms, room.roomId)) continue;
      if (onlyRoom !== undefined && room.roomId !== onlyRoom) continue;
      // Never past the published position: an event there may still have an earlier one committing before it.
      rooms.set(room.roomId, { ...room, until: room.joined ? published : Math.min(room.streamPos, published) });
    }
    return new SearchScope(userId, rooms, deps.timeline);
  }

  get windows(): SearchWindow[] {
    return [...this.rooms.values()].map((r) => ({ roomId: r.roomId, until: r.until }));
  }

  room(roomId: string): ScopedRoom {
    const room = this.rooms.get(roomId);
    if (!room) throw new Error(`room ${roomId} is not in the search's scope`);
    return room;
  }

  /** The viewer for history visibility, as RoomAccessChecker makes it for the same membership. */
  viewer(roomId: string): Promise<Viewer> {
    let viewer = this.viewers.get(roomId);
    if (!viewer) {
      const room = this.room(roomId);
      viewer = room.joined
        ? Promise.resolve({ userId: this.userId, joinedFrom: room.streamPos, lastJoinPos: room.streamPos })
        : this.timeline.lastJoinPos(roomId, this.userId, room.until).then((lastJoinPos) => ({ userId: this.userId, lastJoinPos }));
      this.viewers.set(roomId, viewer);
    }
    return viewer;
  }
}
