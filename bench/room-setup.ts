import { randomBytes } from "node:crypto";
import type { Pool } from "undici";
import { createRoom, joinRoom, mapLimit, register, type Session } from "./matrix-http.js";

export interface BenchRoom {
  roomId: string;
  senders: Session[];
  readers: Session[];
  setupMs: { register: number; createRoom: number; join: number };
}

/**
 * Registers `senderCount` senders and `readerCount` readers and puts them all in one public room (created by
 * the first sender). Registration hashes a password with scrypt on the server, so it runs a few at a time.
 */
export async function setUpRoom(pool: Pool, senderCount: number, readerCount: number, log: (line: string) => void): Promise<BenchRoom> {
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

  return {
    roomId,
    senders: sessions.slice(0, senderCount),
    readers: sessions.slice(senderCount),
    setupMs: { register: Math.round(registerMs), createRoom: Math.round(createRoomMs), join: Math.round(joinMs) },
  };
}
