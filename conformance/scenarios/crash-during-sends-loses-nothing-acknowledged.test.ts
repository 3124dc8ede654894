import { randomBytes } from "node:crypto";
import { Method, Preset, type MatrixClient } from "matrix-js-sdk";
import { beforeAll, describe, expect, it } from "vitest";
import { crashAndRestartHomeserver } from "../support/homeserver-under-test.js";
import { registerUser, registerUsers, type TestUser } from "../support/register-user.js";
import { roomHistory } from "../support/room-history.js";
import { SyncFollower } from "../support/sync-follower.js";
import type { ClientEvent } from "../support/sync-types.js";

const senderCount = 4;
/** The kill comes once every sender has had this many sends acknowledged: a few seconds of sending. */
const acksPerSenderBeforeCrash = 20;
/** A sender that never fails (the crash did not happen) must still end. */
const maxSendsPerSender = 2_000;

interface Send {
  sender: number;
  txnId: string;
  content: { msgtype: "m.text"; body: string };
  startedAtMs: number;
}
interface AcknowledgedSend extends Send {
  eventId: string;
}
interface UnacknowledgedSend extends Send {
  error: string;
}

/** Everything one sender did: its acknowledged sends in acknowledgement order, then the one that failed. */
interface SenderLog {
  user: TestUser;
  acknowledged: AcknowledgedSend[];
  unacknowledged: UnacknowledgedSend | null;
}

/**
 * PUT /rooms/{roomId}/send/m.room.message/{txnId}, one request through the SDK's HTTP layer, which neither
 * retries nor invents a txnId: what the test records is exactly what the server was sent.
 */
async function putMessage(client: MatrixClient, roomId: string, send: Send): Promise<string> {
  const path = `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${encodeURIComponent(send.txnId)}`;
  const { event_id } = await client.http.authedRequest<{ event_id: string }>(Method.Put, path, undefined, send.content);
  return event_id;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function until(condition: () => boolean, what: () => string, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up after ${deadlineMs} ms waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function ourMessages(events: ClientEvent[], txnPrefix: string): ClientEvent[] {
  return events.filter((e) => e.type === "m.room.message" && String(e.content.body ?? "").includes(txnPrefix));
}

describe("a homeserver killed with SIGKILL while clients are sending", () => {
  const runId = randomBytes(4).toString("hex");
  const txnPrefix = `crash-${runId}-`;
  let observer: TestUser;
  let roomId: string;
  const senders: SenderLog[] = [];
  let killedAtMs: number;
  /** The observer's sync state from after everyone joined, before the first send. */
  let beforeSends: SyncFollower;
  /** The observer's sync loop that ran during the sends; it holds the last token issued before the crash. */
  let liveFollower: SyncFollower;
  /** The room's history right after the restart, before any resend. */
  let historyAfterCrash: ClientEvent[];

  const acknowledged = () => senders.flatMap((s) => s.acknowledged);
  const unacknowledged = () => senders.flatMap((s) => (s.unacknowledged ? [s.unacknowledged] : []));
  const withBody = (events: ClientEvent[], send: Send) => events.filter((e) => e.content.body === send.content.body);

  /** As in restart-loses-nothing: a failed setup fails every test instead of skipping it. */
  let setupFailure: unknown = null;
  function requireSetup() {
    if (setupFailure) throw setupFailure;
  }

  beforeAll(async () => {
    try {
      await sendAndCrash();
    } catch (error) {
      setupFailure = error;
    }
  });

  async function sendAndCrash() {
    const users = await registerUsers(senderCount, "crash");
    observer = await registerUser("crash-observer");
    ({ room_id: roomId } = await observer.client.createRoom({ preset: Preset.PublicChat, name: "crash test" }));
    await Promise.all(users.map((user) => user.client.joinRoom(roomId)));
    for (const user of users) senders.push({ user, acknowledged: [], unacknowledged: null });

    beforeSends = new SyncFollower(observer.client);
    await beforeSends.sync();
    liveFollower = beforeSends.fork();

    let crashed = false;
    let crash: Promise<{ killedAtMs: number }> | null = null;
    /** Called by a sender right after it started a send: the kill then lands while that send is in flight. */
    const crashIfDue = () => {
      if (crash || !senders.every((s) => s.acknowledged.length >= acksPerSenderBeforeCrash)) return;
      crash = crashAndRestartHomeserver();
      crash.catch(() => {}); // awaited below; this only keeps an early failure from counting as unhandled
    };
    const syncing = (async () => {
      while (!crashed) {
        try {
          await liveFollower.sync(1_000);
        } catch {
          return; // The kill cut the long-poll; the follower keeps the last token it was given.
        }
      }
    })();
    const sending = senders.map((log, index) => sendUntilFailure(log, index, () => crashed, crashIfDue));

    try {
      await until(
        () => crash !== null || senders.some((s) => s.unacknowledged),
        () => `${acksPerSenderBeforeCrash} acknowledged sends per sender (have ${senders.map((s) => s.acknowledged.length).join(", ")})`,
        120_000,
      );
      if (!crash) {
        const failedEarly = senders.find((s) => s.unacknowledged)!;
        throw new Error(`a send failed before the crash: ${JSON.stringify(failedEarly.unacknowledged)}`);
      }
      ({ killedAtMs } = await (crash as Promise<{ killedAtMs: number }>));
    } finally {
      crashed = true;
      await Promise.all([...sending, syncing]);
    }

    historyAfterCrash = await roomHistory(observer.client, roomId);
    console.log(
      `[crash] ${acknowledged().length} sends acknowledged, then the kill; the sends that got no answer:\n` +
        unacknowledged()
          .map((send) => {
            const ms = send.startedAtMs - killedAtMs;
            const when = ms < 0 ? `started ${-ms} ms before the kill` : `started ${ms} ms after the kill`;
            const fate = withBody(historyAfterCrash, send).length > 0 ? "committed" : "not in the room";
            return `  ${send.txnId}: ${when}, ${fate}, ${send.error}`;
          })
          .join("\n"),
    );
  }

  async function sendUntilFailure(log: SenderLog, index: number, stop: () => boolean, afterStart: () => void): Promise<void> {
    for (let i = 0; i < maxSendsPerSender && !stop(); i++) {
      const txnId = `${txnPrefix}s${index}-${i}`;
      const send: Send = {
        sender: index,
        txnId,
        content: { msgtype: "m.text", body: `sender ${index} message ${i} (${txnId})` },
        startedAtMs: Date.now(),
      };
      try {
        const answer = putMessage(log.user.client, roomId, send);
        afterStart();
        log.acknowledged.push({ ...send, eventId: await answer });
      } catch (error) {
        // Each sender stops at its first failure, so it has at most one send whose fate it does not know.
        log.unacknowledged = { ...send, error: describeError(error) };
        return;
      }
    }
  }

  it("the kill came while sends were in flight", () => {
    requireSetup();
    const inFlight = unacknowledged().filter((send) => send.startedAtMs < killedAtMs);
    expect(inFlight.length, "sends started before the kill that got no answer").toBeGreaterThan(0);
  });

  it("every acknowledged event is in the room's history after the restart, exactly once, with its content", () => {
    requireSetup();
    const problems: string[] = [];
    for (const send of acknowledged()) {
      const copies = historyAfterCrash.filter((e) => e.event_id === send.eventId);
      if (copies.length !== 1) problems.push(`${send.txnId} -> ${send.eventId}: ${copies.length} times in /messages`);
      else if (copies[0]!.content.body !== send.content.body) problems.push(`${send.eventId} holds another body`);
      if (withBody(historyAfterCrash, send).length !== 1) problems.push(`${send.txnId}: its body is in the room ${withBody(historyAfterCrash, send).length} times`);
    }
    expect(problems).toEqual([]);
  });

  it("each sender's acknowledged events are in the room in the order they were acknowledged", () => {
    requireSetup();
    const historyOrder = historyAfterCrash.map((e) => e.event_id);
    for (const log of senders) {
      const ackOrder = log.acknowledged.map((send) => send.eventId);
      const wanted = new Set(ackOrder);
      expect(historyOrder.filter((id) => wanted.has(id)), `order of ${log.user.userId}'s events`).toEqual(ackOrder);
    }
  });

  it("every message a client received through /sync before the crash is still in the room", () => {
    requireSetup();
    const inHistory = new Set(historyAfterCrash.map((e) => e.event_id));
    const seen = ourMessages(liveFollower.timeline(roomId), txnPrefix);
    expect(seen.length, "messages the live /sync delivered before the kill").toBeGreaterThan(0);
    expect(seen.filter((e) => !inHistory.has(e.event_id)).map((e) => e.event_id)).toEqual([]);
  });

  it("a sync from a token issued before the sends delivers every acknowledged event exactly once, in order", async () => {
    requireSetup();
    const resumed = beforeSends.fork();
    await resumed.syncUntilSeen(acknowledged().map((send) => send.eventId));
    expect(resumed.duplicates).toEqual([]);
    const syncOrder = resumed.timeline(roomId).map((e) => e.event_id);
    for (const log of senders) {
      const ackOrder = log.acknowledged.map((send) => send.eventId);
      const wanted = new Set(ackOrder);
      expect(syncOrder.filter((id) => wanted.has(id)), `sync order of ${log.user.userId}'s events`).toEqual(ackOrder);
    }
  });

  it("a sync resumed from the last token issued before the crash delivers the rest, and nothing twice", async () => {
    requireSetup();
    const resumed = liveFollower.fork();
    await resumed.syncUntilSeen(acknowledged().map((send) => send.eventId));
    expect(resumed.duplicates).toEqual([]);
  });

  it("resending every acknowledged txnId returns the original event id and creates no event", async () => {
    requireSetup();
    const mismatches: string[] = [];
    await Promise.all(
      senders.map(async (log) => {
        for (const send of log.acknowledged) {
          const eventId = await putMessage(log.user.client, roomId, send);
          if (eventId !== send.eventId) mismatches.push(`${send.txnId}: first ${send.eventId}, resent ${eventId}`);
        }
      }),
    );
    expect(mismatches).toEqual([]);
    const history = await roomHistory(observer.client, roomId);
    expect(ourMessages(history, txnPrefix).map((e) => e.event_id)).toEqual(
      ourMessages(historyAfterCrash, txnPrefix).map((e) => e.event_id),
    );
  });

  it("resending a txnId whose send failed at the crash gives the event committed before it, or one new event", async () => {
    requireSetup();
    const failed = unacknowledged();
    const resentIds = new Map<string, string>();
    for (const send of failed) {
      const eventId = await putMessage(senders[send.sender]!.user.client, roomId, send);
      resentIds.set(send.txnId, eventId);
      const before = withBody(historyAfterCrash, send);
      expect(before.length, `${send.txnId} in the room before the resend`).toBeLessThanOrEqual(1);
      if (before.length === 1) expect(eventId, `${send.txnId} was committed before the crash`).toBe(before[0]!.event_id);
    }
    const history = await roomHistory(observer.client, roomId);
    for (const send of failed) {
      expect(withBody(history, send).map((e) => e.event_id), `events for ${send.txnId}`).toEqual([resentIds.get(send.txnId)]);
      // And the new mapping holds: a second resend is a retry like any other.
      expect(await putMessage(senders[send.sender]!.user.client, roomId, send)).toBe(resentIds.get(send.txnId));
    }
  });
});
