import { describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../homeserver/app/testing/use-test-app.js";
import { bearer } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";

const tokenUrl = (userId: string) => `/_matrix/client/v3/user/${encodeURIComponent(userId)}/openid/request_token`;
const userinfo = (token?: string) => `/_matrix/federation/v1/openid/userinfo${token === undefined ? "" : `?access_token=${encodeURIComponent(token)}`}`;

describe.each(testDrivers())("OpenID tokens on %s", (driver) => {
  const {
    app,
    users: [alice, bob],
  } = useTestApp(driver, { users: 2 });

  it("issues a Bearer token for the caller that the federation userinfo endpoint resolves to their user id", async () => {
    const response = await app.http.inject({ method: "POST", url: tokenUrl(alice.userId), headers: bearer(alice), payload: {} });
    expect(response.statusCode).toBe(200);
    expect(specErrors("POST", "/_matrix/client/v3/user/{userId}/openid/request_token", 200, response.json())).toEqual([]);
    const body = response.json();
    expect(body).toMatchObject({ token_type: "Bearer", matrix_server_name: "test.local", expires_in: 3600 });
    const info = await app.http.inject({ method: "GET", url: userinfo(body.access_token) });
    expect(info.statusCode).toBe(200);
    expect(info.json()).toEqual({ sub: alice.userId });
  });

  it("refuses a token for another user with 403 M_FORBIDDEN", async () => {
    const response = await app.http.inject({ method: "POST", url: tokenUrl(bob.userId), headers: bearer(alice), payload: {} });
    expect(response.statusCode).toBe(403);
    expect(response.json().errcode).toBe("M_FORBIDDEN");
  });

  it("answers 401 M_UNKNOWN_TOKEN for an unknown token (an access token included) and M_MISSING_TOKEN for none", async () => {
    const unknown = await app.http.inject({ method: "GET", url: userinfo("nope") });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().errcode).toBe("M_UNKNOWN_TOKEN");
    expect((await app.http.inject({ method: "GET", url: userinfo(alice.accessToken) })).json().errcode).toBe("M_UNKNOWN_TOKEN");
    const missing = await app.http.inject({ method: "GET", url: userinfo() });
    expect(missing.statusCode).toBe(401);
    expect(missing.json().errcode).toBe("M_MISSING_TOKEN");
  });

  it("stops resolving a token once it has expired", async () => {
    const token = (await app.ctx.users.openid.issue({ userId: bob.userId, deviceId: "D", isAdmin: false, tokenHash: "" }, bob.userId)).access_token;
    await app.ctx.db.updateTable("openid_tokens").set({ expires_ts: 1 }).execute();
    expect((await app.http.inject({ method: "GET", url: userinfo(token) })).statusCode).toBe(401);
  });
});
