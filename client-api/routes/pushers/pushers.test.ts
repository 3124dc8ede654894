import { describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../homeserver/app/testing/use-test-app.js";
import { bearer, passwordAuth, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";

const SET = "/_matrix/client/v3/pushers/set";
const LIST = "/_matrix/client/v3/pushers";
const URL = "https://push.example.org/_matrix/push/v1/notify";

const pusher = (overrides: Record<string, unknown> = {}) => ({
  kind: "http",
  app_id: "org.example.app.ios",
  pushkey: "key-1",
  app_display_name: "Example",
  device_display_name: "Alice's phone",
  lang: "en-GB",
  data: { url: URL },
  ...overrides,
});

describe.each(testDrivers())("pushers routes on %s", (driver) => {
  const { app } = useTestApp(driver);

  const set = (who: TestUser, body: unknown) => app.http.inject({ method: "POST", url: SET, headers: bearer(who), payload: body as object });
  const list = async (who: TestUser) => {
    const response = await app.http.inject({ method: "GET", url: LIST, headers: bearer(who) });
    expect(response.statusCode).toBe(200);
    expect(specErrors("GET", LIST, 200, response.json())).toEqual([]);
    return (response.json() as { pushers: Array<Record<string, unknown>> }).pushers;
  };
  const login = async (user: TestUser, deviceId?: string): Promise<TestUser> => {
    const response = await app.http.inject({
      method: "POST",
      url: "/_matrix/client/v3/login",
      payload: { type: "m.login.password", identifier: { type: "m.id.user", user: user.localpart }, password: user.password, device_id: deviceId },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json() as { access_token: string; device_id: string };
    return { ...user, accessToken: body.access_token, deviceId: body.device_id };
  };

  it("starts with no pushers, creates one with every field, lists it as set and updates it in place", async () => {
    const user = await registerTestUser(app.http);
    expect(await list(user)).toEqual([]);
    const data = { url: URL, format: "event_id_only", custom: { nested: 1 } };
    const created = await set(user, pusher({ profile_tag: "tag", data }));
    expect(created.statusCode).toBe(200);
    expect(created.json()).toEqual({});
    expect(await list(user)).toEqual([
      { pushkey: "key-1", kind: "http", app_id: "org.example.app.ios", app_display_name: "Example", device_display_name: "Alice's phone", profile_tag: "tag", lang: "en-GB", data },
    ]);
    expect((await set(user, pusher({ app_display_name: "Renamed", lang: "de" }))).statusCode).toBe(200);
    const [updated] = await list(user);
    expect(updated).toMatchObject({ app_display_name: "Renamed", lang: "de", data: { url: URL } });
    expect(updated.profile_tag).toBeUndefined();
    expect(await list(user)).toHaveLength(1);
  });

  it("keeps pushers of different app ids and pushkeys apart, and kind null deletes one", async () => {
    const user = await registerTestUser(app.http);
    await set(user, pusher());
    await set(user, pusher({ pushkey: "key-2" }));
    await set(user, pusher({ app_id: "org.example.app.android" }));
    expect((await list(user)).map((p) => `${p.app_id}/${p.pushkey}`).sort()).toEqual(["org.example.app.android/key-1", "org.example.app.ios/key-1", "org.example.app.ios/key-2"]);
    const deleted = await set(user, { kind: null, app_id: "org.example.app.ios", pushkey: "key-1" });
    expect(deleted.statusCode).toBe(200);
    expect((await list(user)).map((p) => `${p.app_id}/${p.pushkey}`).sort()).toEqual(["org.example.app.android/key-1", "org.example.app.ios/key-2"]);
    // Deleting one that does not exist is not an error.
    expect((await set(user, { kind: null, app_id: "org.example.app.ios", pushkey: "key-1" })).statusCode).toBe(200);
  });

  it("append false takes the same app id and pushkey from other users; append true leaves theirs", async () => {
    const [alice, bob, carol] = [await registerTestUser(app.http), await registerTestUser(app.http), await registerTestUser(app.http)];
    const shared = { pushkey: `shared-${alice.localpart}` };
    await set(alice, pusher(shared));
    await set(bob, pusher({ ...shared, append: true }));
    expect(await list(alice)).toHaveLength(1);
    expect(await list(bob)).toHaveLength(1);
    await set(carol, pusher(shared));
    expect(await list(alice)).toEqual([]);
    expect(await list(bob)).toEqual([]);
    expect(await list(carol)).toHaveLength(1);
  });

  it("answers each missing field with M_MISSING_PARAM and each bad one with M_INVALID_PARAM, writing nothing", async () => {
    const user = await registerTestUser(app.http);
    const cases: Array<[unknown, string]> = [
      [{ app_id: "a", pushkey: "k" }, "M_MISSING_PARAM"],
      [{ kind: null, pushkey: "k" }, "M_MISSING_PARAM"],
      [pusher({ lang: undefined }), "M_MISSING_PARAM"],
      [pusher({ data: undefined }), "M_MISSING_PARAM"],
      [pusher({ app_display_name: undefined }), "M_MISSING_PARAM"],
      [pusher({ device_display_name: undefined }), "M_MISSING_PARAM"],
      [pusher({ data: {} }), "M_MISSING_PARAM"],
      [pusher({ data: { url: "https://push.example.org/notify" } }), "M_INVALID_PARAM"],
      [pusher({ data: { url: "/_matrix/push/v1/notify" } }), "M_INVALID_PARAM"],
      [pusher({ data: { url: "ftp://push.example.org/_matrix/push/v1/notify" } }), "M_INVALID_PARAM"],
      [pusher({ data: { url: 7 } }), "M_INVALID_PARAM"],
      [pusher({ data: { url: URL, format: "full" } }), "M_INVALID_PARAM"],
      [pusher({ data: "x" }), "M_INVALID_PARAM"],
      [pusher({ data: [URL] }), "M_INVALID_PARAM"],
      [pusher({ kind: "email" }), "M_INVALID_PARAM"],
      [pusher({ kind: 3 }), "M_INVALID_PARAM"],
      [pusher({ app_id: "x".repeat(65) }), "M_INVALID_PARAM"],
      [pusher({ pushkey: "é".repeat(257) }), "M_INVALID_PARAM"],
      [pusher({ pushkey: "" }), "M_INVALID_PARAM"],
      [pusher({ lang: 5 }), "M_INVALID_PARAM"],
      [pusher({ profile_tag: {} }), "M_INVALID_PARAM"],
      [pusher({ append: "yes" }), "M_INVALID_PARAM"],
      // The server refuses U+0000 in any JSON body (homeserver/json-limits.ts).
      [pusher({ app_display_name: "a\u0000b" }), "M_BAD_JSON"],
      [{ kind: null, app_id: 1, pushkey: "k" }, "M_INVALID_PARAM"],
    ];
    for (const [body, errcode] of cases) {
      const response = await set(user, body);
      expect({ body, status: response.statusCode, errcode: response.json().errcode }).toEqual({ body, status: 400, errcode });
      expect(specErrors("POST", SET, 400, response.json())).toEqual([]);
    }
    // 64 characters and 512 bytes are allowed.
    expect((await set(user, pusher({ app_id: "x".repeat(64), pushkey: "é".repeat(256) }))).statusCode).toBe(200);
    expect(await list(user)).toHaveLength(1);
    const notJson = await app.http.inject({ method: "POST", url: SET, headers: { ...bearer(user), "content-type": "application/json" }, payload: "[]" });
    expect(notJson.statusCode).toBe(400);
  });

  it("needs an access token", async () => {
    expect((await app.http.inject({ method: "GET", url: LIST })).statusCode).toBe(401);
    expect((await app.http.inject({ method: "POST", url: SET, payload: pusher() })).statusCode).toBe(401);
  });

  it("a pusher goes when its device logs out, and stays when another device of the user logs out", async () => {
    const phone = await registerTestUser(app.http);
    const laptop = await login(phone);
    await set(phone, pusher({ pushkey: "phone" }));
    await set(laptop, pusher({ pushkey: "laptop" }));
    expect((await app.http.inject({ method: "POST", url: "/_matrix/client/v3/logout", headers: bearer(laptop) })).statusCode).toBe(200);
    expect((await list(phone)).map((p) => p.pushkey)).toEqual(["phone"]);
  });

  it("logout/all takes every pusher of the user", async () => {
    const phone = await registerTestUser(app.http);
    const laptop = await login(phone);
    await set(phone, pusher({ pushkey: "phone" }));
    await set(laptop, pusher({ pushkey: "laptop" }));
    expect((await app.http.inject({ method: "POST", url: "/_matrix/client/v3/logout/all", headers: bearer(phone) })).statusCode).toBe(200);
    const fresh = await login(phone);
    expect(await list(fresh)).toEqual([]);
  });

  it("deleting a device takes its pushers", async () => {
    const phone = await registerTestUser(app.http);
    const laptop = await login(phone);
    await set(laptop, pusher({ pushkey: "laptop" }));
    await set(phone, pusher({ pushkey: "phone" }));
    const url = `/_matrix/client/v3/devices/${encodeURIComponent(laptop.deviceId)}`;
    const first = await app.http.inject({ method: "DELETE", url, headers: bearer(phone), payload: {} });
    const session = first.json().session as string | undefined;
    const deleted = await app.http.inject({ method: "DELETE", url, headers: bearer(phone), payload: { auth: passwordAuth(phone, session) } });
    expect(deleted.statusCode).toBe(200);
    expect((await list(phone)).map((p) => p.pushkey)).toEqual(["phone"]);
  });

  it("a password change that logs out the other devices takes their pushers, not the requester's", async () => {
    const phone = await registerTestUser(app.http);
    const laptop = await login(phone);
    await set(phone, pusher({ pushkey: "phone" }));
    await set(laptop, pusher({ pushkey: "laptop" }));
    const changed = await app.http.inject({
      method: "POST",
      url: "/_matrix/client/v3/account/password",
      headers: bearer(phone),
      payload: { new_password: "another long passphrase", logout_devices: true, auth: passwordAuth(phone) },
    });
    expect(changed.statusCode).toBe(200);
    expect((await list(phone)).map((p) => p.pushkey)).toEqual(["phone"]);
  });

  it("a password change with logout_devices false keeps every pusher", async () => {
    const phone = await registerTestUser(app.http);
    const laptop = await login(phone);
    await set(phone, pusher({ pushkey: "phone" }));
    await set(laptop, pusher({ pushkey: "laptop" }));
    const changed = await app.http.inject({
      method: "POST",
      url: "/_matrix/client/v3/account/password",
      headers: bearer(phone),
      payload: { new_password: "another long passphrase", logout_devices: false, auth: passwordAuth(phone) },
    });
    expect(changed.statusCode).toBe(200);
    expect((await list(phone)).map((p) => p.pushkey).sort()).toEqual(["laptop", "phone"]);
  });

  it("deactivation takes every pusher", async () => {
    const user = await registerTestUser(app.http);
    await set(user, pusher({ pushkey: `deactivated-${user.localpart}` }));
    const response = await app.http.inject({ method: "POST", url: "/_matrix/client/v3/account/deactivate", headers: bearer(user), payload: { auth: passwordAuth(user) } });
    expect(response.statusCode).toBe(200);
    expect(await app.ctx.stores.pushers.forUser(user.userId)).toEqual([]);
  });

  it("another device updating the pusher keeps it bound to the device that made it", async () => {
    const phone = await registerTestUser(app.http);
    const laptop = await login(phone);
    await set(phone, pusher({ pushkey: "phone" }));
    await set(laptop, pusher({ pushkey: "phone", app_display_name: "Changed from the laptop" }));
    await app.http.inject({ method: "POST", url: "/_matrix/client/v3/logout", headers: bearer(laptop) });
    expect(await list(phone)).toEqual([expect.objectContaining({ pushkey: "phone", app_display_name: "Changed from the laptop" })]);
  });
});
