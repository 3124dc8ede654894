import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { bearer, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { call, federationPath, startPeer, stopPeers, type Peer } from "../testing/peers.js";

const V3 = "/_matrix/client/v3";

interface ToDeviceEvent {
  sender: string;
  type: string;
  content: Record<string, unknown>;
}

/**
 * Inbound m.direct_to_device, sent by hand from server A to server B: delivered to B's users' devices through the
 * to-device queues (so /sync has them), once per (origin, message_id) however often A retries, and only for A's
 * own senders; a refused EDU or entry leaves the rest of the transaction alone.
 */
describe.each(testDrivers())("inbound m.direct_to_device (%s)", (driver) => {
  let a: Peer;
  let b: Peer;
  let txn = 0;
  let messageNo = 0;

  beforeAll(async () => {
    [a, b] = await Promise.all([startPeer(driver), startPeer(driver)]);
  });
  afterAll(() => stopPeers(a, b));

  const alice = () => `@alice:${a.name}`;
  const directToDevice = (sender: string, messages: Record<string, unknown>, messageId = `m${++messageNo}`) => ({
    edu_type: "m.direct_to_device",
    content: { sender, type: "m.room_key_request", message_id: messageId, messages },
  });
  const transaction = (edus: unknown[], txnId = `txn${++txn}`) =>
    call(a, b, "PUT", federationPath`/_matrix/federation/v1/send/${txnId}`, { origin: a.name, origin_server_ts: Date.now(), pdus: [], edus });
  const sync = async (who: TestUser, since?: string) => {
    const response = await b.app.http.inject({ method: "GET", url: `${V3}/sync`, headers: bearer(who), query: since ? { since, timeout: "0" } : { timeout: "0" } });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as { next_batch: string; to_device?: { events: ToDeviceEvent[] } };
  };
  const toDeviceSince = async (who: TestUser, since: string) => (await sync(who, since)).to_device?.events ?? [];

  it("delivers to the named device, and a retried transaction or a resent EDU delivers nothing twice", async () => {
    const bob = await registerTestUser(b.app.http);
    const { next_batch: since } = await sync(bob);
    const edu = directToDevice(alice(), { [bob.userId]: { [bob.deviceId]: { n: 1 } } });
    const first = await transaction([edu], "retried");
    expect(first).toEqual({ status: 200, json: { pdus: {} } });
    // The same transaction again (A never saw our answer), and the same EDU in a new transaction.
    expect(await transaction([edu], "retried")).toEqual(first);
    expect((await transaction([edu])).status).toBe(200);
    expect(await toDeviceSince(bob, since)).toEqual([{ sender: alice(), type: "m.room_key_request", content: { n: 1 } }]);
  });

  it("`*` delivers to every device of the user", async () => {
    const bob = await registerTestUser(b.app.http);
    const login = await b.app.http.inject({
      method: "POST",
      url: `${V3}/login`,
      payload: { type: "m.login.password", identifier: { type: "m.id.user", user: bob.userId }, password: bob.password },
    });
    const other = login.json() as { access_token: string; device_id: string };
    const bobElsewhere: TestUser = { ...bob, accessToken: other.access_token, deviceId: other.device_id };
    const [one, two] = await Promise.all([sync(bob), sync(bobElsewhere)]);
    expect((await transaction([directToDevice(alice(), { [bob.userId]: { "*": { to: "all" } } })])).status).toBe(200);
    expect((await toDeviceSince(bob, one.next_batch)).map((e) => e.content)).toEqual([{ to: "all" }]);
    expect((await toDeviceSince(bobElsewhere, two.next_batch)).map((e) => e.content)).toEqual([{ to: "all" }]);
  });

  it("refuses a sender who is not the origin's user, and bad entries, while the rest of the transaction is applied", async () => {
    const [bob, carol] = await Promise.all([registerTestUser(b.app.http), registerTestUser(b.app.http)]);
    const [forBob, forCarol] = await Promise.all([sync(bob), sync(carol)]);
    const answer = await transaction([
      // Forged: a user of B (or of any server but A) cannot be sent for by A.
      directToDevice(bob.userId, { [carol.userId]: { [carol.deviceId]: { forged: "as bob" } } }),
      directToDevice("@eve:elsewhere.example", { [carol.userId]: { [carol.deviceId]: { forged: "as eve" } } }),
      // Malformed envelopes.
      { edu_type: "m.direct_to_device", content: { sender: alice(), type: "m.x", messages: { [carol.userId]: { [carol.deviceId]: {} } } } },
      { edu_type: "m.direct_to_device", content: { sender: alice(), type: "m.x", message_id: "no-messages", messages: [] } },
      // Good, beside entries for a user of another server and a message that is not an object.
      directToDevice(alice(), {
        [bob.userId]: { [bob.deviceId]: { genuine: true } },
        [`@dave:${a.name}`]: { DEVICE: { misdirected: true } },
        [carol.userId]: { [carol.deviceId]: "not an object" },
      }),
    ]);
    expect(answer).toEqual({ status: 200, json: { pdus: {} } });
    expect(await toDeviceSince(bob, forBob.next_batch)).toEqual([{ sender: alice(), type: "m.room_key_request", content: { genuine: true } }]);
    expect(await toDeviceSince(carol, forCarol.next_batch)).toEqual([]);
  });

  it("messages of one transaction reach a device in the order they were sent", async () => {
    const bob = await registerTestUser(b.app.http);
    const { next_batch: since } = await sync(bob);
    const edus = Array.from({ length: 5 }, (_, i) => directToDevice(alice(), { [bob.userId]: { [bob.deviceId]: { n: i } } }));
    expect((await transaction(edus)).status).toBe(200);
    expect((await toDeviceSince(bob, since)).map((e) => e.content)).toEqual([0, 1, 2, 3, 4].map((n) => ({ n })));
  });
});
