import { describe, expect, it } from "vitest";
import { sql } from "kysely";
import { testDrivers } from "../../app/test-app.js";
import { useTestApp } from "../../app/testing/use-test-app.js";
import { bearer, registerTestUser, type TestUser } from "../../users/testing/http-users.js";
import type { Db } from "../database.js";
import { migrateTo, migrateToLatest } from "../migrate.js";
import { openTestDatabase } from "../test-databases.js";
import { PushActionsStore, type CountsByUser } from "./push-actions-store.js";

const enc = encodeURIComponent;

/**
 * The counts by their definition, row by row: every notifying room row after the member's join, read receipts
 * and own latest event in its thread, not their own, not redacted, not overridden by a row of their own; plus
 * their own notifying rows after their receipts and own events. The store computes the same from counters; this reads every row, as it once did.
 */
async function countedRowByRow(db: Db, userIds: readonly string[], roomIds: readonly string[], upTo: number): Promise<CountsByUser> {
  const { rows } = await sql<{ user_id: string; room_id: string; thread_id: string; notifications: number; highlights: number }>`
    WITH wanted_users AS (SELECT jsonb_array_elements_text(${JSON.stringify(userIds)}::jsonb) AS user_id),
    wanted_rooms AS (SELECT jsonb_array_elements_text(${JSON.stringify(roomIds)}::jsonb) AS room_id),
    read_up_to AS (
      SELECT p.user_id, p.room_id, p.thread_id, max(p.pos) AS pos FROM (
        SELECT rc.user_id, rc.room_id, rc.thread_id, e.stream_pos AS pos
        FROM receipts rc JOIN events e ON e.event_id = rc.event_id
        WHERE rc.receipt_type IN ('m.read', 'm.read.private')
        UNION ALL
        SELECT user_id, room_id, thread_id, pos FROM push_read_marks
      ) p
      GROUP BY p.user_id, p.room_id, p.thread_id
    ),
    members AS (
      SELECT u.user_id, r.room_id, COALESCE(ms.since_pos, 0) AS since_pos
      FROM wanted_users u CROSS JOIN wanted_rooms r
      LEFT JOIN push_member_since ms ON ms.user_id = u.user_id AND ms.room_id = r.room_id
    ),
    notified AS (
      SELECT m.user_id, o.room_id, o.thread_id, o.stream_pos, o.highlight
      FROM members m JOIN event_push_room_actions o ON o.room_id = m.room_id AND o.stream_pos > m.since_pos
      WHERE o.stream_pos <= ${upTo} AND o.sender <> m.user_id AND NOT o.redacted
        AND NOT EXISTS (SELECT 1 FROM event_push_actions x WHERE x.user_id = m.user_id AND x.stream_pos = o.stream_pos)
      UNION ALL
      SELECT a.user_id, a.room_id, a.thread_id, a.stream_pos, a.highlight
      FROM event_push_actions a
      WHERE a.user_id IN (SELECT user_id FROM wanted_users) AND a.room_id IN (SELECT room_id FROM wanted_rooms)
        AND a.notify AND a.stream_pos <= ${upTo}
    )
    SELECT n.user_id, n.room_id, n.thread_id, count(*)::int AS notifications, (count(*) FILTER (WHERE n.highlight))::int AS highlights
    FROM notified n
    LEFT JOIN read_up_to un ON un.user_id = n.user_id AND un.room_id = n.room_id AND un.thread_id = ''
    LEFT JOIN read_up_to th ON th.user_id = n.user_id AND th.room_id = n.room_id AND th.thread_id = n.thread_id
    WHERE n.stream_pos > GREATEST(COALESCE(un.pos, 0), COALESCE(th.pos, 0))
    GROUP BY n.user_id, n.room_id, n.thread_id`.execute(db);
  const byUser: CountsByUser = new Map();
  for (const row of rows) {
    const rooms = byUser.get(row.user_id) ?? new Map();
    byUser.set(row.user_id, rooms);
    const threads = rooms.get(row.room_id) ?? new Map();
    rooms.set(row.room_id, threads);
    threads.set(row.thread_id, { notifications: Number(row.notifications), highlights: Number(row.highlights) });
  }
  return byUser;
}

const plain = (counts: CountsByUser) =>
  Object.fromEntries([...counts].map(([u, rooms]) => [u, Object.fromEntries([...rooms].map(([r, threads]) => [r, Object.fromEntries(threads)]))]));

/** A small deterministic generator, so that a failing sequence can be replayed. */
function seeded(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return { below: (n: number) => Math.floor(next() * n), pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] };
}

interface Sent {
  eventId: string;
  roomId: string;
  sender: TestUser;
  /** The thread root's event id for events in a thread; "main" otherwise. */
  thread: string;
  threadable: boolean;
}

describe.each(testDrivers())("unread counts from running counters on %s", (driver) => {
  const { app } = useTestApp(driver);

  it("agree with counting row by row through sends, mentions, threads, redactions, receipts, mutes and rejoins", async () => {
    const users = await Promise.all([0, 1, 2, 3].map(() => registerTestUser(app.http)));
    let txn = 0;
    const call = async (who: TestUser, method: "POST" | "PUT", url: string, payload: unknown) => {
      const response = await app.http.inject({ method, url, headers: bearer(who), payload: payload as object });
      return { ok: response.statusCode === 200, body: response.statusCode === 200 ? response.json() : response.body };
    };
    const must = async (who: TestUser, method: "POST" | "PUT", url: string, payload: unknown) => {
      const result = await call(who, method, url, payload);
      if (!result.ok) throw new Error(`${method} ${url}: ${String(result.body)}`);
      return result.body;
    };
    const big = (await must(users[0], "POST", "/_matrix/client/v3/createRoom", { preset: "public_chat" })).room_id as string;
    const pair = (await must(users[1], "POST", "/_matrix/client/v3/createRoom", { preset: "public_chat" })).room_id as string;
    for (const user of users.slice(1)) await must(user, "POST", `/_matrix/client/v3/join/${enc(big)}`, {});
    await must(users[2], "POST", `/_matrix/client/v3/join/${enc(pair)}`, {});
    const roomIds = [big, pair];
    const joined = new Map<string, Set<TestUser>>([
      [big, new Set(users)],
      [pair, new Set([users[1], users[2]])],
    ]);
    const sent: Sent[] = [];
    const random = seeded(20261207);

    const send = async (roomId: string, sender: TestUser, content: Record<string, unknown>, thread: string, type = "m.room.message") => {
      const { event_id: eventId } = await must(sender, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/${type}/c${++txn}`, content);
      sent.push({ eventId, roomId, sender, thread, threadable: thread === "main" && type === "m.room.message" && !content["m.relates_to"] });
      return eventId as string;
    };
    const compare = async (step: number) => {
      const { rows } = await sql<{ top: string }>`SELECT max(stream_pos) AS top FROM events`.execute(app.ctx.db);
      const top = Number(rows[0].top);
      for (const upTo of [top, top - 1 - random.below(12)]) {
        const userIds = users.map((u) => u.userId);
        const expected = plain(await countedRowByRow(app.ctx.db, userIds, roomIds, upTo));
        expect(plain(await app.ctx.stores.pushActions.counts(userIds, roomIds, upTo)), `step ${step}, up to ${upTo}`).toEqual(expected);
        // The whole room at once, as sync reads it when a message wakes the room.
        const { counts, members } = await app.ctx.stores.pushActions.countsOfRoomMembers(big, ":test.local", upTo);
        expect([...members].sort()).toEqual([...joined.get(big)!].map((u) => u.userId).sort());
        expect(plain(counts)).toEqual(plain(await countedRowByRow(app.ctx.db, [...members], [big], upTo)));
        // Each member over the rooms they are in, as the pushers' badges read them together: the same counts,
        // and none for a room a user is not paired with.
        const pairs = roomIds.flatMap((roomId) => [...joined.get(roomId)!].map((u) => ({ userId: u.userId, roomId })));
        const ofPairs = plain(await app.ctx.stores.pushActions.countsOfPairs(pairs, upTo));
        const paired = (userId: string, roomId: string) => pairs.some((p) => p.userId === userId && p.roomId === roomId);
        const expectedOfPairs = Object.fromEntries(
          Object.entries(expected)
            .map(([userId, rooms]) => [userId, Object.fromEntries(Object.entries(rooms).filter(([roomId]) => paired(userId, roomId)))] as const)
            .filter(([, rooms]) => Object.keys(rooms).length > 0),
        );
        expect(ofPairs, `pairs at step ${step}, up to ${upTo}`).toEqual(expectedOfPairs);
      }
    };

    for (let step = 0; step < 90; step++) {
      const roomId = random.pick(roomIds);
      const members = [...joined.get(roomId)!];
      const actor = random.pick(members);
      const inRoom = sent.filter((s) => s.roomId === roomId);
      const kind = random.below(14);
      if (kind <= 3 || inRoom.length < 3) {
        await send(roomId, actor, { msgtype: "m.text", body: random.below(5) === 0 ? "who wants cake" : `message ${step}` }, "main");
      } else if (kind === 4) {
        const named = random.pick(users);
        await send(roomId, actor, { msgtype: "m.text", body: `hey ${step}`, "m.mentions": { user_ids: [named.userId] } }, "main");
      } else if (kind <= 6) {
        const roots = inRoom.filter((s) => s.threadable);
        const root = roots.length > 0 ? random.pick(roots) : undefined;
        if (root) await send(roomId, actor, { msgtype: "m.text", body: `reply ${step}`, "m.relates_to": { rel_type: "m.thread", event_id: root.eventId } }, root.eventId);
      } else if (kind === 7) {
        const target = random.pick(inRoom);
        await send(roomId, actor, { "m.relates_to": { rel_type: "m.annotation", event_id: target.eventId, key: `k${step}` } }, "main", "m.reaction");
      } else if (kind === 8) {
        const own = inRoom.filter((s) => s.sender === actor);
        if (own.length > 0) await call(actor, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/redact/${enc(random.pick(own).eventId)}/r${++txn}`, {});
      } else if (kind <= 11) {
        const target = random.pick(inRoom);
        const threaded = random.below(3);
        const body = threaded === 0 ? {} : { thread_id: target.thread };
        const type = random.below(2) === 0 ? "m.read" : "m.read.private";
        await call(actor, "POST", `/_matrix/client/v3/rooms/${enc(roomId)}/receipt/${type}/${enc(target.eventId)}`, body);
      } else if (kind === 12) {
        const muted = random.below(2) === 0;
        if (muted) await must(actor, "PUT", `/_matrix/client/v3/pushrules/global/room/${enc(roomId)}`, { actions: [] });
        else await must(actor, "PUT", "/_matrix/client/v3/pushrules/global/content/cake", { pattern: "cake", actions: ["notify", { set_tweak: "highlight" }] });
      } else if (members.length > 2) {
        await must(actor, "POST", `/_matrix/client/v3/rooms/${enc(roomId)}/leave`, {});
        await must(actor, "POST", `/_matrix/client/v3/join/${enc(roomId)}`, {});
      }
      if (step % 3 === 2) await compare(step);
    }
    await compare(90);
    // The sequence did what it is for: something counted, in a thread, after a redaction and a receipt.
    const { rows } = await sql<{ redacted: string; threads: string; own: string }>`
      SELECT (SELECT count(*) FROM event_push_room_actions WHERE redacted) AS redacted,
        (SELECT count(*) FROM push_room_threads WHERE thread_id <> 'main') AS threads,
        (SELECT count(*) FROM event_push_actions) AS own`.execute(app.ctx.db);
    expect(Number(rows[0].redacted)).toBeGreaterThan(0);
    expect(Number(rows[0].threads)).toBeGreaterThan(0);
    expect(Number(rows[0].own)).toBeGreaterThan(0);
  }, 120_000);
});

describe.each(testDrivers())("the push counters migration on %s", (driver) => {
  it("numbers the rows already stored, so counts over them are the same as row by row", async () => {
    const test = await openTestDatabase(driver, { migrate: false });
    try {
      const { database } = test;
      await migrateTo(database, "20261204T2100-device-streams");
      const db = database.db;
      const room = "!old:test.local";
      const [a, b, c] = ["@a:test.local", "@b:test.local", "@c:test.local"];
      // a and b write in the main timeline and in a thread of a's; c only reads; one row highlights c.
      const rows: Array<[number, string, string, boolean]> = [
        [1, a, "main", false], [2, b, "main", true], [3, a, "$root", false], [4, b, "$root", false],
        [5, a, "main", false], [6, b, "main", false], [7, a, "$root", true],
      ];
      for (const [pos, sender, thread, highlight] of rows) {
        await sql`INSERT INTO event_push_room_actions (stream_pos, room_id, event_id, thread_id, sender, highlight, actions, ts)
          VALUES (${pos}, ${room}, ${`$e${pos}`}, ${thread}, ${sender}, ${highlight}, '["notify"]', 0)`.execute(db);
      }
      await migrateToLatest(database);
      const users = [a, b, c];
      for (const upTo of [3, 5, 7]) {
        const store = new PushActionsStore(db);
        expect(plain(await store.counts(users, [room], upTo)), `up to ${upTo}`).toEqual(plain(await countedRowByRow(db, users, [room], upTo)));
      }
      // c has read nothing; a's latest own events mark main up to 5 and the thread up to 7.
      expect(plain(await new PushActionsStore(db).counts(users, [room], 7))).toEqual({
        [a]: { [room]: { main: { notifications: 1, highlights: 0 } } },
        [b]: { [room]: { $root: { notifications: 1, highlights: 1 } } },
        [c]: { [room]: { main: { notifications: 4, highlights: 1 }, $root: { notifications: 3, highlights: 1 } } },
      });
    } finally {
      await test.dispose();
    }
  });
});
