import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../homeserver/app/test-app.js";
import { bearer, registerTestUser, type TestUser } from "../../homeserver/users/testing/http-users.js";
import { restartableServer, type RestartableServer } from "../../homeserver/app/testing/restartable-server.js";

const V3 = "/_matrix/client/v3";

/** Polls until `probe` gives a value; the sender works in the background. Bounded in time. */
async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 25_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`not reached in time: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface ToDeviceEvent {
  sender: string;
  type: string;
  content: Record<string, unknown>;
}

/**
 * m.direct_to_device out of a real sendToDevice, between two Myelins on loopback: the messages for the other
 * server's users go through the durable outbox, reach their devices' /sync once, and survive the destination being
 * down and the sending server restarting in between.
 */
describe.each(testDrivers())("durable to-device EDUs between two servers (%s)", (driver) => {
  let a: RestartableServer;
  let b: RestartableServer;
  let txn = 0;

  beforeAll(async () => {
    [a, b] = await Promise.all([restartableServer(driver), restartableServer(driver)]);
    await Promise.all([a.start(), b.start()]);
  });
  afterAll(async () => {
    await Promise.all([a?.dispose(), b?.dispose()]);
  });

  const sendToDevice = async (server: RestartableServer, from: TestUser, messages: Record<string, Record<string, unknown>>, txnId = `t${++txn}`) => {
    const response = await server.running.http.inject({
      method: "PUT",
      url: `${V3}/sendToDevice/m.test.message/${txnId}`,
      headers: bearer(from),
      payload: { messages },
    });
    expect(response.statusCode, response.body).toBe(200);
  };
  const sync = async (server: RestartableServer, who: TestUser, since?: string) => {
    const response = await server.running.http.inject({ method: "GET", url: `${V3}/sync`, headers: bearer(who), query: since ? { since, timeout: "0" } : { timeout: "0" } });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as { next_batch: string; to_device?: { events: ToDeviceEvent[] } };
  };
  /** Syncs on until `count` to-device events have come (or the time is up); returns them and the last token. */
  const collect = async (server: RestartableServer, who: TestUser, since: string, count: number) => {
    const events: ToDeviceEvent[] = [];
    let token = since;
    await eventually(async () => {
      const response = await sync(server, who, token);
      events.push(...(response.to_device?.events ?? []));
      token = response.next_batch;
      return events.length >= count ? true : undefined;
    }, `${count} to-device messages for ${who.userId}`);
    return { events, token };
  };
  const pendingFor = (from: RestartableServer, to: RestartableServer) => from.running.ctx.stores.federationOutbox.countPending(to.name);

  it("a to-device message to a remote user's device arrives in their /sync once, and leaves the outbox", async () => {
    const [alice, bob] = await Promise.all([registerTestUser(a.running.http), registerTestUser(b.running.http)]);
    const start = await sync(b, bob);
    await sendToDevice(a, alice, { [bob.userId]: { [bob.deviceId]: { secret: "hello" } } }, "once");
    // A client's retry of the same request queues nothing more.
    await sendToDevice(a, alice, { [bob.userId]: { [bob.deviceId]: { secret: "hello" } } }, "once");
    const { events, token } = await collect(b, bob, start.next_batch, 1);
    expect(events).toEqual([{ sender: alice.userId, type: "m.test.message", content: { secret: "hello" } }]);
    await eventually(async () => ((await pendingFor(a, b)) === 0 ? true : undefined), "the outbox for b emptied");
    // Nothing comes twice.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await sync(b, bob, token)).to_device?.events ?? []).toEqual([]);
  });

  it("messages to many devices of the other server are one EDU, and `*` reaches every device there", async () => {
    const alice = await registerTestUser(a.running.http);
    const bob = await registerTestUser(b.running.http);
    const second = await b.running.http.inject({
      method: "POST",
      url: `${V3}/login`,
      payload: { type: "m.login.password", identifier: { type: "m.id.user", user: bob.userId }, password: bob.password },
    });
    const login = second.json() as { access_token: string; device_id: string };
    const bobElsewhere: TestUser = { ...bob, accessToken: login.access_token, deviceId: login.device_id };
    const carol = await registerTestUser(b.running.http);
    const [forBob, forBobElsewhere, forCarol] = await Promise.all([sync(b, bob), sync(b, bobElsewhere), sync(b, carol)]);
    await new Promise((resolve) => setTimeout(resolve, 200)); // let earlier tests' traffic settle before counting
    const before = await pendingFor(a, b);
    await b.stop(); // held in the outbox while b is down, so the rows can be counted
    try {
      await sendToDevice(a, alice, { [bob.userId]: { "*": { to: "all of bob" } }, [carol.userId]: { [carol.deviceId]: { to: "carol" } } });
      expect((await pendingFor(a, b)) - before).toBe(1);
    } finally {
      await b.start();
    }
    const [toBob, toBobElsewhere, toCarol] = await Promise.all([
      collect(b, bob, forBob.next_batch, 1),
      collect(b, bobElsewhere, forBobElsewhere.next_batch, 1),
      collect(b, carol, forCarol.next_batch, 1),
    ]);
    expect(toBob.events.map((e) => e.content)).toEqual([{ to: "all of bob" }]);
    expect(toBobElsewhere.events.map((e) => e.content)).toEqual([{ to: "all of bob" }]);
    expect(toCarol.events.map((e) => e.content)).toEqual([{ to: "carol" }]);
  });

  it("with the destination down and the sender restarted, every message arrives once, in order", async () => {
    const [alice, bob] = await Promise.all([registerTestUser(a.running.http), registerTestUser(b.running.http)]);
    const start = await sync(b, bob);
    await b.stop();
    const sent = Array.from({ length: 6 }, (_, i) => ({ n: i }));
    for (const content of sent) await sendToDevice(a, alice, { [bob.userId]: { [bob.deviceId]: content } });
    expect(await pendingFor(a, b)).toBeGreaterThanOrEqual(sent.length);

    // The sending server restarts while the destination is still down: the outbox is in its database.
    await a.stop();
    await a.start();
    expect(await pendingFor(a, b)).toBeGreaterThanOrEqual(sent.length);

    await b.start();
    const { events, token } = await collect(b, bob, start.next_batch, sent.length);
    expect(events.map((e) => e.content)).toEqual(sent);
    expect(events.every((e) => e.sender === alice.userId && e.type === "m.test.message")).toBe(true);
    await eventually(async () => ((await pendingFor(a, b)) === 0 ? true : undefined), "the outbox for b emptied");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await sync(b, bob, token)).to_device?.events ?? []).toEqual([]);
  });
});
