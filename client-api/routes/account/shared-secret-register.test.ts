import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, testDrivers, type TestApp } from "../../../homeserver/app/test-app.js";
import { freshLocalpart } from "../../../homeserver/users/testing/http-users.js";

const URL = "/_synapse/admin/v1/register";

function mac(secret: string, nonce: string, username: string, password: string, admin: boolean): string {
  return createHmac("sha1", secret).update([nonce, username, password, admin ? "admin" : "notadmin"].join("\0")).digest("hex");
}

describe.each(testDrivers())("shared-secret registration (Synapse admin API) on %s", (driver) => {
  let app: TestApp;
  beforeAll(async () => {
    // Open registration off: shared-secret registration does not depend on it.
    app = await createTestApp(driver, { registration: { enabled: false, shared_secret: "s3cret" } });
  });
  afterAll(() => app.dispose());

  const nonce = async () => (await app.http.inject({ method: "GET", url: URL })).json().nonce as string;

  it("registers an admin when the HMAC over nonce, user, password and admin flag is right", async () => {
    const n = await nonce();
    const username = freshLocalpart();
    const response = await app.http.inject({
      method: "POST",
      url: URL,
      payload: { nonce: n, username, password: "pw", admin: true, mac: mac("s3cret", n, username, "pw", true) },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.user_id).toBe(`@${username}:test.local`);
    const requester = await app.ctx.users.auth.authenticate(body.access_token);
    expect(requester).toMatchObject({ userId: body.user_id, deviceId: body.device_id, isAdmin: true });
  });

  it("refuses a wrong HMAC with 403 M_FORBIDDEN", async () => {
    const n = await nonce();
    const response = await app.http.inject({
      method: "POST",
      url: URL,
      payload: { nonce: n, username: freshLocalpart(), password: "pw", mac: mac("wrong", n, "x", "pw", false) },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().errcode).toBe("M_FORBIDDEN");
  });

  it("accepts each nonce once", async () => {
    const n = await nonce();
    const username = freshLocalpart();
    const payload = { nonce: n, username, password: "pw", mac: mac("s3cret", n, username, "pw", false) };
    expect((await app.http.inject({ method: "POST", url: URL, payload })).statusCode).toBe(200);
    const replay = await app.http.inject({ method: "POST", url: URL, payload: { ...payload, username: freshLocalpart() } });
    expect(replay.statusCode).toBe(400);
  });

  it("is unavailable when no shared secret is configured", async () => {
    app.ctx.config.registration.shared_secret = null;
    try {
      const response = await app.http.inject({ method: "GET", url: URL });
      expect(response.statusCode).toBe(400);
    } finally {
      app.ctx.config.registration.shared_secret = "s3cret";
    }
  });
});
