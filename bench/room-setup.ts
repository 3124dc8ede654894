import { randomBytes } from "node:crypto";
import type { Pool } from "undici";
import { createRoom, joinRoom, mapLimit, register, type Session } from "./matrix-http.js";

export interface BenchRoom {
  /** The room everyone is in. */
  roomId: string;
  /** Rooms of `roomSize` readers each (reader i in smallRooms[floor(i / roomSize)]), every sender in all. */
  smallRooms: string[];
  senders: Session[];
  readers: Session[];
  setupMs: { register: number; createRoom: number; join: number; smallRooms: number };
}

/**
 * Registers `senderCount` senders and `readerCount` readers and puts them all in one public room (created by
 * the first sender); with `roomSize` below the reader count, also in rooms of that many readers plus all the
 * senders. Registration hashes a password with scrypt on the server, so it runs a few at a time.
 */
export async function setUpRoom(pool: Pool, senderCount: number, readerCount: number, roomSize: number, log: (line: string) => void): Promise<BenchRoom> {
  const run = randomBytes(3).toString("hex");
  const password = `bench-${randomBytes(12).toString("hex")}`;
  const names = [
    ...Array.from({ length: senderCount }, (_, i) => `bench_${run}_s${i}`),
    ...Array.from({ length: readerCount }, (_, i) => `bench_${run}_r${i}`),
  ];

  let started = performance.now();
  let done = 0;
  const sessions = await mapLimit(names, 6, async (name) => {
    const session = await register(pool, name, password);
    if (++done % 100 === 0) log(`registered ${done}/${names.length}`);
    return session;
  });
  const registerMs = performance.now() - started;

  started = performance.now();
  const roomId = await createRoom(pool, sessions[0], `bench ${run}`);
  const createRoomMs = performance.now() - started;

  started = performance.now();
  done = 0;
  await mapLimit(sessions.slice(1), 8, async (session) => {
    await joinRoom(pool, session, roomId);
    if (++done % 100 === 0) log(`joined ${done}/${sessions.length - 1}`);
  });
  const joinMs = performance.now() - started;

  const senders = sessions.slice(0, senderCount);
  const readers = sessions.slice(senderCount);
  started = performance.now();
  const smallRooms: string[] = [];
  if (roomSize < readerCount) {
    for (let first = 0; first < readerCount; first += roomSize) {
      const smallRoom = await createRoom(pool, senders[0], `bench ${run} readers ${first}-${first + roomSize - 1}`);
      await mapLimit([...senders.slice(1), ...readers.slice(first, first + roomSize)], 8, (session) => joinRoom(pool, session, smallRoom));
      smallRooms.push(smallRoom);
    }
    log(`${smallRooms.length} rooms of ${roomSize} readers and ${senderCount} senders`);
  }
  const smallRoomsMs = performance.now() - started;

  return {
    roomId,
    smallRooms,
    senders,
    readers,
    setupMs: { register: Math.round(registerMs), createRoom: Math.round(createRoomMs), join: Math.round(joinMs), smallRooms: Math.round(smallRoomsMs) },
  };
}
