/**
 * Who syncs which room in a latency run: client i syncs rooms[clientRoom[i]], and message `seq` goes to
 * rooms[seq % rooms.length] (every sender is in every room). One room of all clients makes every message
 * wake everyone (the fan-out worst case); rooms of 20 are what a homeserver's users mostly sit in.
 */
export interface BenchLayout {
  /** For the printed table, e.g. "25 rooms of 20 clients". */
  label: string;
  rooms: string[];
  clientRoom: number[];
}

export function oneRoomLayout(roomId: string, clients: number): BenchLayout {
  return { label: `one room of ${clients} clients`, rooms: [roomId], clientRoom: Array.from({ length: clients }, () => 0) };
}

/** Clients 0..size-1 in the first room, the next `size` in the second, and so on. */
export function roomsOfLayout(rooms: string[], clients: number, size: number): BenchLayout {
  return {
    label: `${rooms.length} rooms of ${Math.min(size, clients)} clients`,
    rooms,
    clientRoom: Array.from({ length: clients }, (_, i) => Math.floor(i / size)),
  };
}

/** The bench's sync filter: the client's room's timeline only, members lazy-loaded. */
export function benchSyncFilter(roomId: string): Record<string, unknown> {
  return {
    presence: { types: [] },
    account_data: { types: [] },
    room: {
      rooms: [roomId],
      timeline: { limit: 50, lazy_load_members: true },
      state: { lazy_load_members: true },
      ephemeral: { types: [] },
      account_data: { types: [] },
    },
  };
}
