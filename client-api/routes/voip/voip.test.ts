import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../homeserver/app/testing/use-test-app.js";
import { bearer } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";
import { turnCredentials } from "./turn-credentials.js";

const URL = "/_matrix/client/v3/voip/turnServer";
const base = { uris: ["turn:turn.example.org:3478?transport=udp"], shared_secret: null, username: null, password: null, user_lifetime_ms: 3_600_000 };

describe("TURN credentials", () => {
  it("follow the TURN REST API: username <expiry>:<user id>, password base64(HMAC-SHA1(secret, username))", () => {
    const creds = turnCredentials({ ...base, shared_secret: "s3cret" }, "@a:test.local", 1_000_000);
    expect(creds).toMatchObject({ username: "4600:@a:test.local", uris: base.uris, ttl: 3600 });
    expect((creds as { password: string }).password).toBe(createHmac("sha1", "s3cret").update("4600:@a:test.local").digest("base64"));
  });

  it("use the static username and password when there is no secret, and are {} without uris or credentials", () => {
    expect(turnCredentials({ ...base, username: "u", password: "p" }, "@a:t", 0)).toEqual({ username: "u", password: "p", uris: base.uris, ttl: 3600 });
    expect(turnCredentials(base, "@a:t", 0)).toEqual({});
    expect(turnCredentials({ ...base, uris: [], shared_secret: "s" }, "@a:t", 0)).toEqual({});
  });
});

describe.each(testDrivers())("turnServer and server well-known routes on %s", (driver) => {
  const {
    app: plain,
    users: [user],
  } = useTestApp(driver, { users: 1 });
  const {
    app: configured,
    users: [other],
  } = useTestApp(driver, { config: { turn: { uris: base.uris, shared_secret: "s3cret" }, well_known: { server: "matrix.example.org:443" } }, users: 1 });

  it("answers {} when no TURN server is configured, as Synapse does", async () => {
    const response = await plain.http.inject({ method: "GET", url: URL, headers: bearer(user) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({});
  });

  it("answers credentials made from the shared secret, and needs an access token", async () => {
    const response = await configured.http.inject({ method: "GET", url: URL, headers: bearer(other) });
    expect(response.statusCode).toBe(200);
    expect(specErrors("GET", URL, 200, response.json())).toEqual([]);
    expect(response.json().username).toMatch(new RegExp(`^\\d+:${other.userId.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`));
    expect((await configured.http.inject({ method: "GET", url: URL })).statusCode).toBe(401);
  });

  it("serves /.well-known/matrix/server from well_known.server, and 404 when unset", async () => {
    const served = await configured.http.inject({ method: "GET", url: "/.well-known/matrix/server" });
    expect(served.statusCode).toBe(200);
    expect(served.json()).toEqual({ "m.server": "matrix.example.org:443" });
    expect((await plain.http.inject({ method: "GET", url: "/.well-known/matrix/server" })).statusCode).toBe(404);
  });
});
