/**
 * Delivery check (npm run bench:delivery [-- options]): the load under which lost deliveries were reported on
 * the embedded database. Readers long-poll /sync in rooms of a few members while senders in every room send
 * as fast as they are acknowledged; it prints how many (message, reader) deliveries arrived within the grace
 * period after the last send, duplicates, limited timelines, sync errors and the ack-to-delivery spread.
 * Not a benchmark of speed: the figure that matters is "delivered N/N".
 *
 *   --postgres            a fresh PostgreSQL database instead of the embedded one (the default here)
 *   --url URL             a server already running on loopback (registration open; it may rate-limit: 429s
 *                         are waited out and counted)
 *   --seconds S           how long the senders send (15)
 *   --rooms N --room-size M --senders K    the layout (20 rooms of 10 readers, 10 senders in every room)
 *   --senders-inside      the senders are readers of the rooms they send to (one per room, for K rooms)
 *   --filter-id           readers upload their filter and sync with its id instead of inline JSON
 *   --no-presence         readers' filters leave presence out
 *   --poll-timeout MS     the long-poll timeout readers ask for (30000)
 *   --grace S             how long to wait for stragglers after the last send (15)
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { externalServer, startBenchServer } from "./server-process.js";
import { call, createRoom, joinRoom, mapLimit, MatrixHttpError, openPool, register, sendMessage, syncPath, type Session } from "./matrix-http.js";
import { Samples, summarise } from "./stats.js";

const { values: args } = parseArgs({
  options: {
    postgres: { type: "boolean", default: false },
    url: { type: "string" },
    seconds: { type: "string", default: "15" },
    rooms: { type: "string", default: "20" },
    "room-size": { type: "string", default: "10" },
    senders: { type: "string", default: "10" },
    "senders-inside": { type: "boolean", default: false },
    "filter-id": { type: "boolean", default: false },
    "no-presence": { type: "boolean", default: false },
    "poll-timeout": { type: "string", default: "30000" },
    grace: { type: "string", default: "15" },
  },
});
const ROOMS = Number(args.rooms);
const ROOM_SIZE = Number(args["room-size"]);
const SENDERS = Number(args.senders);
const POLL_TIMEOUT = Number(args["poll-timeout"]);

/** Waits out M_LIMIT_EXCEEDED as a client would, counting it. */
let rateLimited = 0;
async function patiently<T>(request: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await request();
    } catch (error) {
      if (!(error instanceof MatrixHttpError) || error.status !== 429) throw error;
      rateLimited += 1;
      const wait = (JSON.parse(error.body) as { retry_after_ms?: number }).retry_after_ms ?? 100;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

interface SyncBody {
  next_batch: string;
  rooms?: { join?: Record<string, { timeline?: { limited?: boolean; events?: Array<{ type: string; event_id: string }> } }> };
}

const server = args.url
  ? await externalServer(args.url, null)
  : await startBenchServer({ forceEmbedded: !args.postgres, nodeArgs: [], keepFiles: false, asyncCommit: false });
console.log(`server ${server.baseUrl}, ${server.database}`);
const pool = openPool(server.baseUrl, ROOMS * ROOM_SIZE + SENDERS + 20);
try {
  const run = randomBytes(3).toString("hex");
  const password = `check-${randomBytes(8).toString("hex")}`;
  const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `check_${run}_${prefix}${i}`);
  const readers = await mapLimit(names("r", ROOMS * ROOM_SIZE), 6, (name) => patiently(() => register(pool, name, password)));
  const roomOf = (reader: number) => Math.floor(reader / ROOM_SIZE);
  const senders: Session[] = args["senders-inside"]
    ? Array.from({ length: SENDERS }, (_, k) => readers[(k % ROOMS) * ROOM_SIZE])
    : await mapLimit(names("s", SENDERS), 6, (name) => patiently(() => register(pool, name, password)));
  const rooms: string[] = [];
  for (let r = 0; r < ROOMS; r++) {
    const roomId = await patiently(() => createRoom(pool, readers[r * ROOM_SIZE], `room ${r}`));
    const members = readers.slice(r * ROOM_SIZE + 1, (r + 1) * ROOM_SIZE);
    if (!args["senders-inside"]) members.push(...senders);
    await mapLimit(members, 8, (member) => patiently(() => joinRoom(pool, member, roomId)));
    rooms.push(roomId);
  }
  const senderRooms = senders.map((_, k) => (args["senders-inside"] ? [k % ROOMS] : rooms.map((_, r) => r)));
  console.log(`${readers.length} readers in ${ROOMS} rooms of ${ROOM_SIZE}, ${SENDERS} senders${args["senders-inside"] ? " (readers of their rooms)" : " in every room"}`);

  const filterJson = args["no-presence"] ? { room: { timeline: { limit: 1000 } }, presence: { types: [] } } : { room: { timeline: { limit: 1000 } } };
  const filters = await mapLimit(readers, 20, async (reader) =>
    args["filter-id"]
      ? (await call<{ filter_id: string }>(pool, "POST", `/_matrix/client/v3/user/${encodeURIComponent(reader.userId)}/filter`, { token: reader.accessToken, body: filterJson })).filter_id
      : JSON.stringify(filterJson),
  );
  const tokens = await mapLimit(readers, 20, async (reader, i) => (await call<SyncBody>(pool, "GET", syncPath(filters[i], null, 0), { token: reader.accessToken })).next_batch);

  const seen = readers.map(() => new Set<string>());
  const ackedAt = new Map<string, number>();
  const spread = new Samples();
  let duplicates = 0;
  let limited = 0;
  let syncErrors = 0;
  let polling = true;
  const polls = readers.map(async (reader, i) => {
    while (polling) {
      try {
        const body = await call<SyncBody>(pool, "GET", syncPath(filters[i], tokens[i], POLL_TIMEOUT), { token: reader.accessToken });
        for (const room of Object.values(body.rooms?.join ?? {})) {
          if (room.timeline?.limited) limited += 1;
          for (const event of room.timeline?.events ?? []) {
            if (event.type !== "m.room.message") continue;
            if (seen[i].has(event.event_id)) duplicates += 1;
            seen[i].add(event.event_id);
            const acked = ackedAt.get(event.event_id);
            if (acked !== undefined) spread.push(Date.now() - acked);
          }
        }
        tokens[i] = body.next_batch;
      } catch (error) {
        syncErrors += 1;
        console.log(`sync error: ${String(error).slice(0, 200)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  });

  const sent: Array<{ room: number; eventId: string }> = [];
  const end = Date.now() + Number(args.seconds) * 1000;
  let txn = 0;
  await Promise.all(
    senders.map(async (sender, k) => {
      while (Date.now() < end) {
        const choices = senderRooms[k];
        const room = choices[Math.floor(Math.random() * choices.length)];
        const txnId = `t${++txn}`;
        const eventId = await patiently(() => sendMessage(pool, sender, rooms[room], txnId, { msgtype: "m.text", body: txnId }));
        ackedAt.set(eventId, Date.now());
        sent.push({ room, eventId });
      }
    }),
  );
  const expected = sent.length * ROOM_SIZE;
  const delivered = () => {
    let n = 0;
    for (const { room, eventId } of sent) for (let k = 0; k < ROOM_SIZE; k++) if (seen[room * ROOM_SIZE + k].has(eventId)) n += 1;
    return n;
  };
  const graceEnd = Date.now() + Number(args.grace) * 1000;
  while (delivered() < expected && Date.now() < graceEnd) await new Promise((resolve) => setTimeout(resolve, 250));
  const got = delivered();
  console.log(`${sent.length} messages sent (${rateLimited} answers 429 waited out)`);
  console.log(`delivered ${got}/${expected} = ${((100 * got) / Math.max(1, expected)).toFixed(2)}% within ${args.grace} s of the last send; duplicates ${duplicates}, limited timelines ${limited}, sync errors ${syncErrors}`);
  const { p50, p99, max } = summarise(spread.values());
  console.log(`ack to delivery (ms): p50 ${p50}, p99 ${p99}, max ${max}`);
  for (const { room, eventId } of sent) {
    for (let k = 0; k < ROOM_SIZE; k++) {
      const reader = room * ROOM_SIZE + k;
      if (!seen[reader].has(eventId)) console.log(`missing: ${eventId} for ${readers[reader].userId} (room ${room})`);
    }
  }
  polling = false;
  process.exitCode = got === expected ? 0 : 1;
  await Promise.race([Promise.all(polls), new Promise((resolve) => setTimeout(resolve, 2_000))]);
} finally {
  await pool.close().catch(() => undefined);
  await server.dispose();
}
// Parked long-polls would hold the process until their timeout.
process.exit();
