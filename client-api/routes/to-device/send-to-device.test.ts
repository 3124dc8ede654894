import { describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../homeserver/app/testing/use-test-app.js";
import { bearer, passwordAuth, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";

const TEMPLATE = "/_matrix/client/v3/sendToDevice/{eventType}/{txnId}";
const BODY_LIMIT = 64 * 1024;
let txnCounter = 0;

describe.each(testDrivers())("PUT /sendToDevice on %s", (driver) => {
  const { app } = useTestApp(driver, { config: { max_request_body_bytes: BODY_LIMIT } });

  const url = (eventType: string, txnId: string) => `/_matrix/client/v3/sendToDevice/${encodeURIComponent(eventType)}/${encodeURIComponent(txnId)}`;
  const send = (user: TestUser, payload: unknown, options: { type?: string; txnId?: string; rawUrl?: string } = {}) =>
    app.http.inject({
      method: "PUT",
      url: options.rawUrl ?? url(options.type ?? "m.test", options.txnId ?? `t${++txnCounter}`),
      headers: bearer(user),
      payload: payload as object,
    });
  const loginDevice = async (user: TestUser, deviceId: string): Promise<TestUser> => {
    const body = (
      await app.http.inject({
        method: "POST",
        url: "/_matrix/client/v3/login",
        payload: { type: "m.login.password", user: user.localpart, password: user.password, device_id: deviceId },
      })
    ).json() as { access_token: string; device_id: string };
    return { ...user, accessToken: body.access_token, deviceId: body.device_id };
  };
  const sync = async (user: TestUser, since?: string) => {
    const response = await app.http.inject({ method: "GET", url: `/_matrix/client/v3/sync${since ? `?since=${since}` : ""}`, headers: bearer(user) });
    expect(response.statusCode).toBe(200);
    return response.json() as { next_batch: string; to_device?: { events: Array<{ sender: string; type: string; content: unknown }> } };
  };
  const pending = (user: TestUser) => app.ctx.stores.toDevice.countPending(user.userId, user.deviceId);
  const expectError = (response: { statusCode: number; json(): any }, status: number, errcode: string) => {
    expect(response.statusCode).toBe(status);
    expect(response.json()).toEqual({ errcode, error: expect.any(String) });
  };

  it("answers 200 {} and the addressed device's next sync carries the message with its sender and type", async () => {
    const alice = await registerTestUser(app.http);
    const bob = await registerTestUser(app.http);
    const response = await send(alice, { messages: { [bob.userId]: { [bob.deviceId]: { secret: "s3kr1t" } } } }, { type: "m.room_key_request" });
    expect(response.statusCode).toBe(200);
    expect(specErrors("PUT", TEMPLATE, 200, response.json())).toEqual([]);
    expect(response.json()).toEqual({});
    expect((await sync(bob)).to_device?.events).toEqual([{ sender: alice.userId, type: "m.room_key_request", content: { secret: "s3kr1t" } }]);
  });

  it("delivers content exactly as sent: escapes, non-ASCII text, and a lone surrogate a client's JSON may carry", async () => {
    const alice = await registerTestUser(app.http);
    const bob = await registerTestUser(app.http);
    const content = { quote: 'say "hi"\\n', emoji: "\u{1F510} clé", lone: "\ud800", escaped: "\\ud800", nested: { list: [1, "two", null, { deep: true }] } };
    expect((await send(alice, { messages: { [bob.userId]: { [bob.deviceId]: content } } })).statusCode).toBe(200);
    expect((await sync(bob)).to_device?.events).toEqual([{ sender: alice.userId, type: "m.test", content }]);
  });

  it("`*` queues the message for every device of the user", async () => {
    const alice = await registerTestUser(app.http);
    const bob = await registerTestUser(app.http, { deviceId: "PHONE" });
    const laptop = await loginDevice(bob, "LAPTOP");
    expect((await send(alice, { messages: { [bob.userId]: { "*": { hello: 1 } } } })).statusCode).toBe(200);
    expect(await pending(bob)).toBe(1);
    expect(await pending(laptop)).toBe(1);
  });

  it("a retry with the same txnId answers 200 {} and queues nothing more; another txnId queues again", async () => {
    const alice = await registerTestUser(app.http);
    const bob = await registerTestUser(app.http);
    const body = { messages: { [bob.userId]: { [bob.deviceId]: { n: 1 } } } };
    expect((await send(alice, body, { txnId: "same" })).statusCode).toBe(200);
    const retry = await send(alice, body, { txnId: "same" });
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toEqual({});
    expect(await pending(bob)).toBe(1);
    // Another event type with the same txnId is another request.
    expect((await send(alice, body, { txnId: "same", type: "m.other" })).statusCode).toBe(200);
    expect(await pending(bob)).toBe(2);
  });

  it("skips unknown local users and devices without failing, whatever else the request addresses", async () => {
    const alice = await registerTestUser(app.http);
    const bob = await registerTestUser(app.http);
    const response = await send(alice, {
      messages: {
        "@nobody-here:test.local": { ANY: { n: 1 } },
        "@someone:elsewhere.example": { DEV: { n: 2 }, "*": { n: 3 } },
        [bob.userId]: { NOSUCHDEVICE: { n: 4 }, [bob.deviceId]: { n: 5 } },
      },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({});
    expect((await sync(bob)).to_device?.events).toEqual([{ sender: alice.userId, type: "m.test", content: { n: 5 } }]);
  });

  it("answers an empty messages map with 200 {}", async () => {
    const alice = await registerTestUser(app.http);
    const response = await send(alice, { messages: {} });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({});
  });

  it("refuses a body of the wrong shape with 400 M_BAD_JSON", async () => {
    const alice = await registerTestUser(app.http);
    const bob = await registerTestUser(app.http);
    expectError(await send(alice, {}), 400, "M_BAD_JSON");
    expectError(await send(alice, { messages: [] }), 400, "M_BAD_JSON");
    expectError(await send(alice, { messages: "hello" }), 400, "M_BAD_JSON");
    expectError(await send(alice, { messages: { [bob.userId]: [] } }), 400, "M_BAD_JSON");
    expectError(await send(alice, { messages: { [bob.userId]: { [bob.deviceId]: "not an object" } } }), 400, "M_BAD_JSON");
    expectError(await send(alice, { messages: { [bob.userId]: { [bob.deviceId]: [1, 2] } } }), 400, "M_BAD_JSON");
    expectError(await send(alice, [1]), 400, "M_BAD_JSON");
    expect(await pending(bob)).toBe(0);
  });

  it("refuses malformed user ids, device ids and event types with 400 M_INVALID_PARAM, queueing nothing", async () => {
    const alice = await registerTestUser(app.http);
    const bob = await registerTestUser(app.http);
    const alsoBob = { [bob.deviceId]: { n: 1 } };
    expectError(await send(alice, { messages: { "not-a-user": { D: {} }, [bob.userId]: alsoBob } }), 400, "M_INVALID_PARAM");
    expectError(await send(alice, { messages: { "@nocolon": { D: {} }, [bob.userId]: alsoBob } }), 400, "M_INVALID_PARAM");
    expectError(await send(alice, { messages: { "@lone\ud800:test.local": { D: {} } } }), 400, "M_INVALID_PARAM");
    expectError(await send(alice, { messages: { [bob.userId]: { "\udfff": { n: 1 }, ...alsoBob } } }), 400, "M_INVALID_PARAM");
    // A remote user's device id is checked too, though the message is not sent yet.
    expectError(await send(alice, { messages: { "@x:elsewhere.example": { "\ud800": {} } } }), 400, "M_INVALID_PARAM");
    expectError(await send(alice, { messages: { [bob.userId]: alsoBob } }, { rawUrl: "/_matrix/client/v3/sendToDevice/m.t%00est/t-nul" }), 400, "M_INVALID_PARAM");
    expectError(await send(alice, { messages: { [bob.userId]: alsoBob } }, { rawUrl: "/_matrix/client/v3/sendToDevice/m.test/t%00" }), 400, "M_INVALID_PARAM");
    expect(await pending(bob)).toBe(0);
  });

  it("refuses U+0000 in any id of the body with 400 M_BAD_JSON, as every JSON body (homeserver/json-limits.ts)", async () => {
    const alice = await registerTestUser(app.http);
    const bob = await registerTestUser(app.http);
    expectError(await send(alice, { messages: { "@nul\u0000:test.local": { D: {} } } }), 400, "M_BAD_JSON");
    expectError(await send(alice, { messages: { [bob.userId]: { "DEV\u0000": { n: 1 }, [bob.deviceId]: { n: 1 } } } }), 400, "M_BAD_JSON");
    expect(await pending(bob)).toBe(0);
  });

  it("refuses a request over the server's body limit with 413 M_TOO_LARGE", async () => {
    const alice = await registerTestUser(app.http);
    const bob = await registerTestUser(app.http);
    const response = await send(alice, { messages: { [bob.userId]: { [bob.deviceId]: { blob: "x".repeat(BODY_LIMIT) } } } });
    expectError(response, 413, "M_TOO_LARGE");
    expect(await pending(bob)).toBe(0);
  });

  it("requires an access token (401 M_MISSING_TOKEN)", async () => {
    const response = await app.http.inject({ method: "PUT", url: url("m.test", "t"), payload: { messages: {} } });
    expectError(response, 401, "M_MISSING_TOKEN");
  });

  it("deleting a device deletes its queue with it; the user's other devices keep theirs", async () => {
    const alice = await registerTestUser(app.http);
    const bob = await registerTestUser(app.http, { deviceId: "KEEP" });
    const doomed = await loginDevice(bob, "DOOMED");
    expect((await send(alice, { messages: { [bob.userId]: { "*": { n: 1 } } } })).statusCode).toBe(200);
    expect(await pending(doomed)).toBe(1);
    const deviceUrl = "/_matrix/client/v3/devices/DOOMED";
    const challenge = await app.http.inject({ method: "DELETE", url: deviceUrl, headers: bearer(bob), payload: {} });
    const deleted = await app.http.inject({ method: "DELETE", url: deviceUrl, headers: bearer(bob), payload: { auth: passwordAuth(bob, challenge.json().session) } });
    expect(deleted.statusCode).toBe(200);
    expect(await pending(doomed)).toBe(0);
    expect(await pending(bob)).toBe(1);
  });
});
