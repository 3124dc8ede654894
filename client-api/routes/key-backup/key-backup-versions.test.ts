import { describe, expect, it } from "vitest";
import { sql } from "kysely";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../homeserver/app/testing/use-test-app.js";
import { bearer, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";

const VERSION = "/_matrix/client/v3/room_keys/version";
const VERSION_TEMPLATE = `${VERSION}/{version}`;
const ALGORITHM = "m.megolm_backup.v1.curve25519-aes-sha2";
const authData = (publicKey: string) => ({ public_key: publicKey, signatures: { "@x:test.local": { "ed25519:DEV": "sig" } } });

describe.each(testDrivers())("key backup version routes on %s", (driver) => {
  const { app } = useTestApp(driver);

  const request = (who: TestUser, method: "GET" | "POST" | "PUT" | "DELETE", url: string, payload?: unknown) =>
    app.http.inject({ method, url, headers: bearer(who), payload: payload as object | undefined });
  const create = async (who: TestUser, publicKey = "key") => {
    const response = await request(who, "POST", VERSION, { algorithm: ALGORITHM, auth_data: authData(publicKey) });
    expect(response.statusCode, response.body).toBe(200);
    expect(specErrors("POST", VERSION, 200, response.json())).toEqual([]);
    return response.json().version as string;
  };

  it("GET /room_keys/version is 404 M_NOT_FOUND before any backup exists", async () => {
    const user = await registerTestUser(app.http);
    const response = await request(user, "GET", VERSION);
    expect(response.statusCode).toBe(404);
    expect(response.json().errcode).toBe("M_NOT_FOUND");
    expect(specErrors("GET", VERSION, 404, response.json())).toEqual([]);
  });

  it("creates versions numbered upwards as strings; the current one is the newest, with algorithm, auth_data, count and etag", async () => {
    const user = await registerTestUser(app.http);
    expect(await create(user, "first")).toBe("1");
    expect(await create(user, "second")).toBe("2");
    const current = await request(user, "GET", VERSION);
    expect(current.statusCode).toBe(200);
    expect(specErrors("GET", VERSION, 200, current.json())).toEqual([]);
    expect(current.json()).toEqual({ algorithm: ALGORITHM, auth_data: authData("second"), count: 0, etag: expect.any(String), version: "2" });
    const first = await request(user, "GET", `${VERSION}/1`);
    expect(first.statusCode).toBe(200);
    expect(specErrors("GET", VERSION_TEMPLATE, 200, first.json())).toEqual([]);
    expect(first.json()).toMatchObject({ auth_data: authData("first"), version: "1", count: 0 });
  });

  it("answers an unknown, malformed or another user's version with 404 M_NOT_FOUND", async () => {
    const alice = await registerTestUser(app.http);
    const bob = await registerTestUser(app.http);
    await create(alice);
    for (const version of ["2", "abc", "01", "1.0", "99999999999999999999999", "-1"]) {
      const response = await request(alice, "GET", `${VERSION}/${encodeURIComponent(version)}`);
      expect(response.statusCode, version).toBe(404);
      expect(response.json().errcode).toBe("M_NOT_FOUND");
      expect(specErrors("GET", VERSION_TEMPLATE, 404, response.json())).toEqual([]);
    }
    expect((await request(bob, "GET", `${VERSION}/1`)).statusCode).toBe(404);
    expect((await request(bob, "GET", VERSION)).statusCode).toBe(404);
    expect((await request(bob, "DELETE", `${VERSION}/1`)).statusCode).toBe(404);
    expect((await request(bob, "PUT", `${VERSION}/1`, { algorithm: ALGORITHM, auth_data: {} })).statusCode).toBe(404);
    // Bob's own first backup is his version 1, and alice's is untouched.
    expect(await create(bob)).toBe("1");
    expect((await request(alice, "GET", `${VERSION}/1`)).json().auth_data).toEqual(authData("key"));
  });

  it("PUT /room_keys/version/{version} replaces auth_data, with the body's version, if any, equal to the path's", async () => {
    const user = await registerTestUser(app.http);
    const version = await create(user);
    const updated = await request(user, "PUT", `${VERSION}/${version}`, { algorithm: ALGORITHM, auth_data: authData("rotated") });
    expect(updated.statusCode, updated.body).toBe(200);
    expect(updated.json()).toEqual({});
    expect(specErrors("PUT", VERSION_TEMPLATE, 200, updated.json())).toEqual([]);
    expect((await request(user, "GET", VERSION)).json().auth_data).toEqual(authData("rotated"));
    const withVersion = await request(user, "PUT", `${VERSION}/${version}`, { algorithm: ALGORITHM, auth_data: authData("again"), version });
    expect(withVersion.statusCode).toBe(200);
    expect((await request(user, "GET", VERSION)).json().auth_data).toEqual(authData("again"));
  });

  it("PUT /room_keys/version/{version} refuses another algorithm or another body version with 400 M_INVALID_PARAM, changing nothing", async () => {
    const user = await registerTestUser(app.http);
    const version = await create(user);
    const refusals = [
      { algorithm: "org.example.other", auth_data: authData("x") },
      { algorithm: ALGORITHM, auth_data: authData("x"), version: "7" },
    ];
    for (const body of refusals) {
      const response = await request(user, "PUT", `${VERSION}/${version}`, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().errcode).toBe("M_INVALID_PARAM");
      expect(specErrors("PUT", VERSION_TEMPLATE, 400, response.json())).toEqual([]);
    }
    expect((await request(user, "GET", VERSION)).json().auth_data).toEqual(authData("key"));
    const unknown = await request(user, "PUT", `${VERSION}/5`, { algorithm: ALGORITHM, auth_data: {} });
    expect(unknown.statusCode).toBe(404);
    expect(specErrors("PUT", VERSION_TEMPLATE, 404, unknown.json())).toEqual([]);
  });

  it("refuses bodies without algorithm or auth_data, or of the wrong types, with 400 M_BAD_JSON", async () => {
    const user = await registerTestUser(app.http);
    const version = await create(user);
    const bodies = [{ auth_data: {} }, { algorithm: ALGORITHM }, { algorithm: 1, auth_data: {} }, { algorithm: ALGORITHM, auth_data: "x" }, { algorithm: "", auth_data: {} }];
    for (const body of bodies) {
      const created = await request(user, "POST", VERSION, body);
      expect(created.statusCode, JSON.stringify(body)).toBe(400);
      expect(created.json().errcode).toBe("M_BAD_JSON");
      const updated = await request(user, "PUT", `${VERSION}/${version}`, body);
      expect(updated.statusCode, JSON.stringify(body)).toBe(400);
      expect(updated.json().errcode).toBe("M_BAD_JSON");
    }
    const badVersion = await request(user, "PUT", `${VERSION}/${version}`, { algorithm: ALGORITHM, auth_data: {}, version: 1 });
    expect(badVersion.statusCode).toBe(400);
    // Nothing was created by the refused requests.
    expect((await request(user, "GET", VERSION)).json().version).toBe(version);
  });

  it("DELETE /room_keys/version/{version} deletes it (again: still 200), after which it is 404 and the previous one is current", async () => {
    const user = await registerTestUser(app.http);
    await create(user, "one");
    const two = await create(user, "two");
    const deleted = await request(user, "DELETE", `${VERSION}/${two}`);
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toEqual({});
    expect(specErrors("DELETE", VERSION_TEMPLATE, 200, deleted.json())).toEqual([]);
    expect((await request(user, "DELETE", `${VERSION}/${two}`)).statusCode).toBe(200);
    const gone = await request(user, "GET", `${VERSION}/${two}`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json().errcode).toBe("M_NOT_FOUND");
    expect((await request(user, "PUT", `${VERSION}/${two}`, { algorithm: ALGORITHM, auth_data: {} })).statusCode).toBe(404);
    expect((await request(user, "GET", VERSION)).json()).toMatchObject({ version: "1", auth_data: authData("one") });
    const never = await request(user, "DELETE", `${VERSION}/9`);
    expect(never.statusCode).toBe(404);
    expect(never.json().errcode).toBe("M_NOT_FOUND");
    expect(specErrors("DELETE", VERSION_TEMPLATE, 404, never.json())).toEqual([]);
    // A new version after a deleted one takes the next number, never the deleted one's.
    expect(await create(user)).toBe("3");
  });

  it("deactivating the account deletes its backups, keys included", async () => {
    const user = await registerTestUser(app.http);
    const version = await create(user);
    const session = { first_message_index: 0, forwarded_count: 0, is_verified: false, session_data: { ciphertext: "c" } };
    const put = await request(user, "PUT", `/_matrix/client/v3/room_keys/keys/${encodeURIComponent("!r:test.local")}/s1?version=${version}`, session);
    expect(put.statusCode, put.body).toBe(200);
    const deactivate = await request(user, "POST", "/_matrix/client/v3/account/deactivate", {
      auth: { type: "m.login.password", identifier: { type: "m.id.user", user: user.userId }, password: user.password },
    });
    expect(deactivate.statusCode, deactivate.body).toBe(200);
    const rows = await sql<{ n: string }>`SELECT (SELECT count(*) FROM key_backup_keys WHERE user_id = ${user.userId}) + (SELECT count(*) FROM key_backup_versions WHERE user_id = ${user.userId} AND NOT deleted) AS n`.execute(app.ctx.db);
    expect(Number(rows.rows[0].n)).toBe(0);
  });

  it("requires an access token", async () => {
    const response = await app.http.inject({ method: "GET", url: VERSION });
    expect(response.statusCode).toBe(401);
    expect(response.json().errcode).toBe("M_MISSING_TOKEN");
  });
});
