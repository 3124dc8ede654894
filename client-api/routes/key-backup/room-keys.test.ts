import { describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../homeserver/app/testing/use-test-app.js";
import { bearer, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";

const V3 = "/_matrix/client/v3";
const KEYS = `${V3}/room_keys/keys`;
const ROOM_TEMPLATE = `${KEYS}/{roomId}`;
const SESSION_TEMPLATE = `${KEYS}/{roomId}/{sessionId}`;
const ALGORITHM = "m.megolm_backup.v1.curve25519-aes-sha2";
const ROOM = "!backup:test.local";
const OTHER_ROOM = "!other:test.local";
const enc = encodeURIComponent;
const roomUrl = (roomId: string, version: string) => `${KEYS}/${enc(roomId)}?version=${enc(version)}`;
const sessionUrl = (roomId: string, sessionId: string, version: string) => `${KEYS}/${enc(roomId)}/${enc(sessionId)}?version=${enc(version)}`;

const keyData = (over: Record<string, unknown> = {}) => ({
  first_message_index: 1,
  forwarded_count: 0,
  is_verified: false,
  session_data: { ephemeral: "eph", ciphertext: "cipher", mac: "mac" },
  ...over,
});

describe.each(testDrivers())("room key backup routes on %s", (driver) => {
  const { app } = useTestApp(driver);

  const request = (who: TestUser, method: "GET" | "POST" | "PUT" | "DELETE", url: string, payload?: unknown) =>
    app.http.inject({ method, url, headers: bearer(who), payload: payload as object | undefined });
  const newVersion = async (who: TestUser) => {
    const response = await request(who, "POST", `${V3}/room_keys/version`, { algorithm: ALGORITHM, auth_data: { public_key: "k" } });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().version as string;
  };
  const versionInfo = async (who: TestUser) => (await request(who, "GET", `${V3}/room_keys/version`)).json();
  const putSession = async (who: TestUser, version: string, sessionId: string, data: object) => {
    const response = await request(who, "PUT", sessionUrl(ROOM, sessionId, version), data);
    expect(response.statusCode, response.body).toBe(200);
    expect(specErrors("PUT", SESSION_TEMPLATE, 200, response.json())).toEqual([]);
    return response.json() as { etag: string; count: number };
  };

  it("stores a session's key and answers it, session_data exactly as given, by session, room and whole backup", async () => {
    const user = await registerTestUser(app.http);
    const version = await newVersion(user);
    const sessionData = { ephemeral: "e", ciphertext: "c", mac: "m", extra: { nested: [1, "two", null, true] } };
    const stored = await putSession(user, version, "sess1", keyData({ session_data: sessionData }));
    expect(stored.count).toBe(1);
    expect(stored.etag).toEqual(expect.any(String));

    const one = await request(user, "GET", sessionUrl(ROOM, "sess1", version));
    expect(one.statusCode).toBe(200);
    expect(specErrors("GET", SESSION_TEMPLATE, 200, one.json())).toEqual([]);
    expect(one.json()).toEqual(keyData({ session_data: sessionData }));

    const room = await request(user, "GET", roomUrl(ROOM, version));
    expect(specErrors("GET", ROOM_TEMPLATE, 200, room.json())).toEqual([]);
    expect(room.json()).toEqual({ sessions: { sess1: keyData({ session_data: sessionData }) } });

    const all = await request(user, "GET", `${KEYS}?version=${version}`);
    expect(specErrors("GET", KEYS, 200, all.json())).toEqual([]);
    expect(all.json()).toEqual({ rooms: { [ROOM]: { sessions: { sess1: keyData({ session_data: sessionData }) } } } });
    expect(await versionInfo(user)).toMatchObject({ count: 1, etag: stored.etag });
  });

  it("stores many keys at once through PUT /room_keys/keys and /room_keys/keys/{roomId}, answering etag and count", async () => {
    const user = await registerTestUser(app.http);
    const version = await newVersion(user);
    const wide = await request(user, "PUT", `${KEYS}?version=${version}`, {
      rooms: { [ROOM]: { sessions: { a: keyData(), b: keyData() } }, [OTHER_ROOM]: { sessions: { a: keyData() } } },
    });
    expect(wide.statusCode, wide.body).toBe(200);
    expect(specErrors("PUT", KEYS, 200, wide.json())).toEqual([]);
    expect(wide.json().count).toBe(3);
    const byRoom = await request(user, "PUT", roomUrl(OTHER_ROOM, version), { sessions: { b: keyData(), c: keyData() } });
    expect(byRoom.statusCode, byRoom.body).toBe(200);
    expect(specErrors("PUT", ROOM_TEMPLATE, 200, byRoom.json())).toEqual([]);
    expect(byRoom.json().count).toBe(5);
    expect(byRoom.json().etag).not.toBe(wide.json().etag);
    const all = (await request(user, "GET", `${KEYS}?version=${version}`)).json();
    expect(Object.keys(all.rooms[ROOM].sessions).sort()).toEqual(["a", "b"]);
    expect(Object.keys(all.rooms[OTHER_ROOM].sessions).sort()).toEqual(["a", "b", "c"]);
  });

  it("keeps the better key for a session as the spec orders them, and moves the etag only when the key changes", async () => {
    const user = await registerTestUser(app.http);
    const version = await newVersion(user);
    const stored = async () => (await request(user, "GET", sessionUrl(ROOM, "s", version))).json();
    const first = await putSession(user, version, "s", keyData({ first_message_index: 5, forwarded_count: 2, session_data: { v: 1 } }));

    // The same key again, or a worse one: kept as it was, etag unchanged.
    expect(await putSession(user, version, "s", keyData({ first_message_index: 5, forwarded_count: 2, session_data: { v: 1 } }))).toEqual(first);
    expect(await putSession(user, version, "s", keyData({ first_message_index: 6, forwarded_count: 0, session_data: { v: 2 } }))).toEqual(first);
    expect((await stored()).session_data).toEqual({ v: 1 });

    // Same index, fewer forwards: replaced.
    const fewer = await putSession(user, version, "s", keyData({ first_message_index: 5, forwarded_count: 1, session_data: { v: 3 } }));
    expect(fewer.etag).not.toBe(first.etag);
    expect(fewer.count).toBe(1);
    expect((await stored()).session_data).toEqual({ v: 3 });

    // Verified beats unverified even with a worse index.
    const verified = await putSession(user, version, "s", keyData({ is_verified: true, first_message_index: 9, forwarded_count: 9, session_data: { v: 4 } }));
    expect(verified.etag).not.toBe(fewer.etag);
    expect(await stored()).toEqual(keyData({ is_verified: true, first_message_index: 9, forwarded_count: 9, session_data: { v: 4 } }));

    // An unverified key never replaces a verified one, even with a lower index.
    expect(await putSession(user, version, "s", keyData({ first_message_index: 0, forwarded_count: 0, session_data: { v: 5 } }))).toEqual(verified);
    expect((await stored()).session_data).toEqual({ v: 4 });

    // Between verified keys, the lower index wins.
    await putSession(user, version, "s", keyData({ is_verified: true, first_message_index: 2, forwarded_count: 9, session_data: { v: 6 } }));
    expect((await stored()).session_data).toEqual({ v: 6 });
    expect((await versionInfo(user)).etag).not.toBe(verified.etag);
  });

  it("refuses a write to a version that is not the current one with 403 M_WRONG_ROOM_KEYS_VERSION naming the current one", async () => {
    const user = await registerTestUser(app.http);
    const old = await newVersion(user);
    const current = await newVersion(user);
    const urls: Array<[string, string, object]> = [
      [KEYS, `${KEYS}?version=${old}`, { rooms: { [ROOM]: { sessions: { s: keyData() } } } }],
      [ROOM_TEMPLATE, roomUrl(ROOM, old), { sessions: { s: keyData() } }],
      [SESSION_TEMPLATE, sessionUrl(ROOM, "s", old), keyData()],
    ];
    for (const [template, url, body] of urls) {
      const response = await request(user, "PUT", url, body);
      expect(response.statusCode, url).toBe(403);
      expect(response.json()).toMatchObject({ errcode: "M_WRONG_ROOM_KEYS_VERSION", current_version: current });
      expect(specErrors("PUT", template, 403, response.json())).toEqual([]);
    }
    // Nothing was written to either version.
    expect((await request(user, "GET", `${KEYS}?version=${old}`)).json()).toEqual({ rooms: {} });
    expect((await request(user, "GET", `${KEYS}?version=${current}`)).json()).toEqual({ rooms: {} });
  });

  it("answers keys of a deleted, unknown or malformed version, or with no backup at all, with 404 M_NOT_FOUND", async () => {
    const user = await registerTestUser(app.http);
    const none = await request(user, "PUT", sessionUrl(ROOM, "s", "1"), keyData());
    expect(none.statusCode).toBe(404);
    expect(none.json().errcode).toBe("M_NOT_FOUND");
    const version = await newVersion(user);
    await putSession(user, version, "s", keyData());
    const later = await newVersion(user);
    expect((await request(user, "DELETE", `${V3}/room_keys/version/${version}`)).statusCode).toBe(200);
    for (const v of [version, "42", "x"]) {
      const put = await request(user, "PUT", `${KEYS}?version=${v}`, { rooms: {} });
      expect(put.statusCode, v).toBe(404);
      expect(specErrors("PUT", KEYS, 404, put.json())).toEqual([]);
      for (const [template, url] of [
        [KEYS, `${KEYS}?version=${v}`],
        [ROOM_TEMPLATE, roomUrl(ROOM, v)],
        [SESSION_TEMPLATE, sessionUrl(ROOM, "s", v)],
      ]) {
        for (const method of ["GET", "DELETE"] as const) {
          const response = await request(user, method, url);
          expect(response.statusCode, `${method} ${url}`).toBe(404);
          expect(response.json().errcode).toBe("M_NOT_FOUND");
          expect(specErrors(method, template, 404, response.json())).toEqual([]);
        }
      }
    }
    // The deleted version's keys went with it, and the current version never had them.
    expect((await request(user, "GET", `${KEYS}?version=${later}`)).json()).toEqual({ rooms: {} });
  });

  it("answers an empty room with {sessions: {}}, an empty backup with {rooms: {}}, and a missing session with 404 M_NOT_FOUND", async () => {
    const user = await registerTestUser(app.http);
    const version = await newVersion(user);
    expect((await request(user, "GET", roomUrl(ROOM, version))).json()).toEqual({ sessions: {} });
    expect((await request(user, "GET", `${KEYS}?version=${version}`)).json()).toEqual({ rooms: {} });
    const missing = await request(user, "GET", sessionUrl(ROOM, "nope", version));
    expect(missing.statusCode).toBe(404);
    expect(missing.json().errcode).toBe("M_NOT_FOUND");
    expect(specErrors("GET", SESSION_TEMPLATE, 404, missing.json())).toEqual([]);
  });

  it("reads and deletes keys of an older version that still exists", async () => {
    const user = await registerTestUser(app.http);
    const old = await newVersion(user);
    await putSession(user, old, "s", keyData());
    await newVersion(user);
    expect((await request(user, "GET", sessionUrl(ROOM, "s", old))).statusCode).toBe(200);
    const deleted = await request(user, "DELETE", sessionUrl(ROOM, "s", old));
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json().count).toBe(0);
  });

  it("deletes one session, one room or all keys, answering etag and count", async () => {
    const user = await registerTestUser(app.http);
    const version = await newVersion(user);
    await request(user, "PUT", `${KEYS}?version=${version}`, {
      rooms: { [ROOM]: { sessions: { a: keyData(), b: keyData() } }, [OTHER_ROOM]: { sessions: { a: keyData(), b: keyData() } } },
    });
    const before = (await versionInfo(user)).etag;
    const session = await request(user, "DELETE", sessionUrl(ROOM, "a", version));
    expect(session.statusCode).toBe(200);
    expect(specErrors("DELETE", SESSION_TEMPLATE, 200, session.json())).toEqual([]);
    expect(session.json().count).toBe(3);
    expect(session.json().etag).not.toBe(before);
    expect((await request(user, "GET", sessionUrl(ROOM, "a", version))).statusCode).toBe(404);

    const room = await request(user, "DELETE", roomUrl(OTHER_ROOM, version));
    expect(specErrors("DELETE", ROOM_TEMPLATE, 200, room.json())).toEqual([]);
    expect(room.json().count).toBe(1);
    expect((await request(user, "GET", roomUrl(OTHER_ROOM, version))).json()).toEqual({ sessions: {} });

    const all = await request(user, "DELETE", `${KEYS}?version=${version}`);
    expect(specErrors("DELETE", KEYS, 200, all.json())).toEqual([]);
    expect(all.json().count).toBe(0);
    expect((await versionInfo(user)).count).toBe(0);
    expect((await versionInfo(user)).etag).toBe(all.json().etag);
  });

  it("keeps each user's backups apart: the same version number names a different backup for another user", async () => {
    const alice = await registerTestUser(app.http);
    const bob = await registerTestUser(app.http);
    const version = await newVersion(alice);
    await putSession(alice, version, "secret", keyData({ session_data: { owner: "alice" } }));
    expect((await request(bob, "GET", `${KEYS}?version=${version}`)).statusCode).toBe(404);
    expect((await request(bob, "PUT", sessionUrl(ROOM, "secret", version), keyData())).statusCode).toBe(404);
    expect((await request(bob, "DELETE", `${KEYS}?version=${version}`)).statusCode).toBe(404);
    expect(await newVersion(bob)).toBe(version);
    expect((await request(bob, "GET", `${KEYS}?version=${version}`)).json()).toEqual({ rooms: {} });
    await putSession(bob, version, "secret", keyData({ is_verified: true, first_message_index: 0, session_data: { owner: "bob" } }));
    expect((await request(alice, "GET", sessionUrl(ROOM, "secret", version))).json().session_data).toEqual({ owner: "alice" });
    expect((await versionInfo(alice)).count).toBe(1);
  });

  it("requires the version query parameter: 400 M_MISSING_PARAM", async () => {
    const user = await registerTestUser(app.http);
    await newVersion(user);
    const cases: Array<["GET" | "PUT" | "DELETE", string, object?]> = [
      ["PUT", KEYS, { rooms: {} }],
      ["GET", KEYS],
      ["DELETE", KEYS],
      ["PUT", `${KEYS}/${enc(ROOM)}`, { sessions: {} }],
      ["GET", `${KEYS}/${enc(ROOM)}`],
      ["DELETE", `${KEYS}/${enc(ROOM)}`],
      ["PUT", `${KEYS}/${enc(ROOM)}/s`, keyData()],
      ["GET", `${KEYS}/${enc(ROOM)}/s`],
      ["DELETE", `${KEYS}/${enc(ROOM)}/s`],
    ];
    for (const [method, url, body] of cases) {
      const response = await request(user, method, url, body);
      expect(response.statusCode, `${method} ${url}`).toBe(400);
      expect(response.json().errcode).toBe("M_MISSING_PARAM");
    }
  });

  it("refuses key data with missing or mistyped fields with 400 M_BAD_JSON, writing nothing", async () => {
    const user = await registerTestUser(app.http);
    const version = await newVersion(user);
    const bad: object[] = [
      { forwarded_count: 0, is_verified: false, session_data: {} },
      { first_message_index: 0, is_verified: false, session_data: {} },
      { first_message_index: 0, forwarded_count: 0, session_data: {} },
      { first_message_index: 0, forwarded_count: 0, is_verified: false },
      keyData({ is_verified: "yes" }),
      keyData({ first_message_index: 1.5 }),
      keyData({ first_message_index: -1 }),
      keyData({ forwarded_count: 1e300 }),
      keyData({ session_data: "opaque" }),
    ];
    for (const body of bad) {
      for (const [url, payload] of [
        [sessionUrl(ROOM, "s", version), body],
        [roomUrl(ROOM, version), { sessions: { s: body } }],
        [`${KEYS}?version=${version}`, { rooms: { [ROOM]: { sessions: { s: body } } } }],
      ] as const) {
        const response = await request(user, "PUT", url, payload);
        expect(response.statusCode, `${url} ${JSON.stringify(payload)}`).toBe(400);
        expect(response.json().errcode).toBe("M_BAD_JSON");
      }
    }
    for (const body of [{}, { rooms: [] }, { rooms: { [ROOM]: {} } }, { rooms: { [ROOM]: { sessions: [] } } }, { rooms: { "not-a-room": { sessions: {} } } }]) {
      const response = await request(user, "PUT", `${KEYS}?version=${version}`, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().errcode).toBe("M_BAD_JSON");
    }
    const emptySession = await request(user, "PUT", roomUrl(ROOM, version), { sessions: { "": keyData() } });
    expect(emptySession.statusCode).toBe(400);
    expect(await versionInfo(user)).toMatchObject({ count: 0, etag: "0" });
  });

  it("refuses a path room id that is not one with 400 M_INVALID_PARAM", async () => {
    const user = await registerTestUser(app.http);
    const version = await newVersion(user);
    for (const [method, url, body] of [
      ["PUT", sessionUrl("not-a-room", "s", version), keyData()],
      ["GET", roomUrl("#alias:test.local", version), undefined],
      ["DELETE", sessionUrl("@user:test.local", "s", version), undefined],
    ] as const) {
      const response = await request(user, method, url, body);
      expect(response.statusCode, url).toBe(400);
      expect(response.json().errcode).toBe("M_INVALID_PARAM");
    }
  });

  it("stores and answers session ids that need escaping", async () => {
    const user = await registerTestUser(app.http);
    const version = await newVersion(user);
    const sessionId = "a/b+c=d?é %";
    await putSession(user, version, sessionId, keyData());
    expect((await request(user, "GET", sessionUrl(ROOM, sessionId, version))).statusCode).toBe(200);
    expect(Object.keys((await request(user, "GET", roomUrl(ROOM, version))).json().sessions)).toEqual([sessionId]);
  });
});
