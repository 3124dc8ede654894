import { beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../homeserver/app/testing/use-test-app.js";
import { bearer } from "../../../homeserver/users/testing/http-users.js";

const globalUrl = (userId: string, type: string) => `/_matrix/client/v3/user/${encodeURIComponent(userId)}/account_data/${encodeURIComponent(type)}`;
const roomUrl = (userId: string, roomId: string, type: string) =>
  `/_matrix/client/v3/user/${encodeURIComponent(userId)}/rooms/${encodeURIComponent(roomId)}/account_data/${encodeURIComponent(type)}`;
const tagUrl = (userId: string, roomId: string, tag: string) =>
  `/_matrix/client/v3/user/${encodeURIComponent(userId)}/rooms/${encodeURIComponent(roomId)}/tags/${encodeURIComponent(tag)}`;
const filterUrl = (userId: string) => `/_matrix/client/v3/user/${encodeURIComponent(userId)}/filter`;

const BURST = 3;

/**
 * The spec lists no 429 for the account-data, tag and filter writes, and Synapse does not rate limit them: a
 * request for another user's data is 403 and a malformed room id 400 however often the caller asks. Myelin
 * still limits these writes, but only once the request itself is acceptable.
 */
describe.each(testDrivers())("rate limiting after the account-data and filter routes' own checks on %s", (driver) => {
  // A clock that stands still: no token comes back while the test runs.
  const now = Date.now();
  const {
    app,
    users: [alice, bob],
  } = useTestApp(driver, { config: { rate_limits: { enabled: true, per_second: 1, burst: BURST } }, clock: { now: () => now }, users: 2 });
  beforeAll(async () => {
    for (let i = 0; i < BURST; i++) {
      const response = await app.http.inject({ method: "PUT", url: globalUrl(alice.userId, `org.example.n${i}`), headers: bearer(alice), payload: {} });
      expect(response.statusCode).toBe(200);
    }
  });

  const send = (method: "PUT" | "DELETE" | "POST", url: string, payload?: object) => app.http.inject({ method, url, headers: bearer(alice), payload });

  it("a caller over its rate gets 429 M_LIMIT_EXCEEDED for an acceptable write of its own data", async () => {
    const response = await send("PUT", globalUrl(alice.userId, "org.example.more"), {});
    expect(response.statusCode).toBe(429);
    expect(response.json().errcode).toBe("M_LIMIT_EXCEEDED");
    expect(typeof response.json().retry_after_ms).toBe("number");
  });

  it.each([
    ["PUT global account data", "PUT", (u: string) => globalUrl(u, "org.example.x"), {}],
    ["PUT room account data", "PUT", (u: string) => roomUrl(u, "!r:test.local", "org.example.x"), {}],
    ["PUT a room tag", "PUT", (u: string) => tagUrl(u, "!r:test.local", "u.work"), {}],
    ["DELETE a room tag", "DELETE", (u: string) => tagUrl(u, "!r:test.local", "u.work"), undefined],
    ["POST a filter", "POST", (u: string) => filterUrl(u), {}],
  ] as const)("%s for another user is still 403 M_FORBIDDEN, not 429, as from Synapse (no rate limit there)", async (_name, method, url, payload) => {
    const response = await send(method, url(bob.userId), payload);
    expect(response.statusCode).toBe(403);
    expect(response.json().errcode).toBe("M_FORBIDDEN");
  });

  it.each([
    ["PUT room account data", "PUT", (u: string) => roomUrl(u, "not-a-room", "org.example.x"), {}],
    ["PUT a room tag", "PUT", (u: string) => tagUrl(u, "not-a-room", "u.work"), {}],
    ["DELETE a room tag", "DELETE", (u: string) => tagUrl(u, "not-a-room", "u.work"), undefined],
  ] as const)("%s with a malformed room id is still 400 M_INVALID_PARAM, not 429, as from Synapse", async (_name, method, url, payload) => {
    const response = await send(method, url(alice.userId), payload);
    expect(response.statusCode).toBe(400);
    expect(response.json().errcode).toBe("M_INVALID_PARAM");
  });
});
