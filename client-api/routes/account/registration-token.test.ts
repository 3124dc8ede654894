import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, testDrivers, type TestApp } from "../../../homeserver/app/test-app.js";
import { freshLocalpart } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";

const PASSWORD = "a good long password";

describe.each(testDrivers())("registration with m.login.registration_token on %s", (driver) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp(driver, { registration: { enabled: true, require_token: true, tokens: ["from-config"] } });
  });
  afterAll(() => app.dispose());

  const register = (auth?: Record<string, unknown>) =>
    app.http.inject({ method: "POST", url: "/_matrix/client/v3/register", payload: { username: freshLocalpart(), password: PASSWORD, auth } });
  const validity = (token: string) =>
    app.http.inject({ method: "GET", url: `/_matrix/client/v1/register/m.login.registration_token/validity?token=${encodeURIComponent(token)}` });

  let session: string;
  beforeEach(async () => {
    session = (await register()).json().session;
  });

  it("offers only the m.login.registration_token flow", async () => {
    const response = await register();
    expect(response.statusCode).toBe(401);
    expect(response.json().flows).toEqual([{ stages: ["m.login.registration_token"] }]);
  });

  it("does not accept m.login.dummy when a token is required", async () => {
    const response = await register({ type: "m.login.dummy", session });
    expect(response.statusCode).toBe(400);
  });

  it("answers a wrong token with the 401 challenge carrying M_FORBIDDEN, so the client can retry", async () => {
    const response = await register({ type: "m.login.registration_token", token: "wrong", session });
    expect(response.statusCode).toBe(401);
    const body = response.json();
    expect(specErrors("POST", "/_matrix/client/v3/register", 401, body)).toEqual([]);
    expect(body.errcode).toBe("M_FORBIDDEN");
    expect(body.session).toBe(session);
    expect(body.completed).toEqual([]);
  });

  it("registers with a token from the config file", async () => {
    const response = await register({ type: "m.login.registration_token", token: "from-config", session });
    expect(response.statusCode).toBe(200);
  });

  it("counts uses of a stored token and refuses it once uses_allowed is reached", async () => {
    await app.ctx.users.registrationTokens.create("single-use", { usesAllowed: 1, expiryTime: null });
    expect((await register({ type: "m.login.registration_token", token: "single-use", session })).statusCode).toBe(200);
    const second = await register({ type: "m.login.registration_token", token: "single-use", session: (await register()).json().session });
    expect(second.statusCode).toBe(401);
    expect(second.json().errcode).toBe("M_FORBIDDEN");
    const row = await app.ctx.db.selectFrom("registration_tokens").selectAll().where("token", "=", "single-use").executeTakeFirstOrThrow();
    expect(row.completed).toBe(1);
  });

  it("refuses a stored token past its expiry_time", async () => {
    await app.ctx.users.registrationTokens.create("expired", { usesAllowed: null, expiryTime: Date.now() - 1000 });
    const response = await register({ type: "m.login.registration_token", token: "expired", session });
    expect(response.statusCode).toBe(401);
  });

  it("GET /registration_token/validity tells valid tokens from unknown and used-up ones", async () => {
    await app.ctx.users.registrationTokens.create("used-up", { usesAllowed: 0, expiryTime: null });
    const valid = await validity("from-config");
    expect(valid.statusCode).toBe(200);
    expect(specErrors("GET", "/_matrix/client/v1/register/m.login.registration_token/validity", 200, valid.json())).toEqual([]);
    expect(valid.json()).toEqual({ valid: true });
    expect((await validity("unknown")).json()).toEqual({ valid: false });
    expect((await validity("used-up")).json()).toEqual({ valid: false });
  });
});

/**
 * Synapse's RegistrationTokenValidityRestServlet takes from the rate limit before anything else, so a caller
 * over its rate learns nothing, not even that registration is off (the spec lists both 403 and 429 here).
 */
describe.each(testDrivers())("registration token validity: the rate limit comes before the 403 on %s", (driver) => {
  let app: TestApp;
  const BURST = 2;
  beforeAll(async () => {
    const now = Date.now();
    app = await createTestApp(driver, { registration: { enabled: true, require_token: false }, rate_limits: { enabled: true, per_second: 1, burst: BURST } }, { now: () => now });
  });
  afterAll(() => app.dispose());

  const validity = () => app.http.inject({ method: "GET", url: "/_matrix/client/v1/register/m.login.registration_token/validity?token=any", remoteAddress: "192.0.2.40" });

  it("answers 403 M_FORBIDDEN while tokens are not in use, then 429 M_LIMIT_EXCEEDED once the caller is over its rate, as Synapse does", async () => {
    for (let i = 0; i < BURST; i++) {
      const refused = await validity();
      expect(refused.statusCode).toBe(403);
      expect(specErrors("GET", "/_matrix/client/v1/register/m.login.registration_token/validity", 403, refused.json())).toEqual([]);
      expect(refused.json().errcode).toBe("M_FORBIDDEN");
    }
    const limited = await validity();
    expect(limited.statusCode).toBe(429);
    expect(specErrors("GET", "/_matrix/client/v1/register/m.login.registration_token/validity", 429, limited.json())).toEqual([]);
    expect(limited.json().errcode).toBe("M_LIMIT_EXCEEDED");
  });
});
