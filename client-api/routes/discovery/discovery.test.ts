import { describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../homeserver/app/testing/use-test-app.js";
import { DEFAULT_ROOM_VERSION, KNOWN_ROOM_VERSIONS } from "../../../homeserver/events/room-versions.js";
import { bearer, registerTestUser } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";

describe.each(testDrivers())("discovery routes on %s", (driver) => {
  const { app } = useTestApp(driver, { config: { public_baseurl: "https://matrix.test.local/" } });

  it("GET /versions lists r0.0.1 through v1.19 and unstable_features, without authentication", async () => {
    const response = await app.http.inject({ method: "GET", url: "/_matrix/client/versions" });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(specErrors("GET", "/_matrix/client/versions", 200, body)).toEqual([]);
    expect(body.versions[0]).toBe("r0.0.1");
    expect(body.versions).toContain("r0.6.1");
    expect(body.versions.at(-1)).toBe("v1.19");
    expect(body.unstable_features).toEqual({ "org.myelin.sync_ws": true });
  });

  it("GET /.well-known/matrix/client names public_baseurl as m.homeserver base_url", async () => {
    const response = await app.http.inject({ method: "GET", url: "/.well-known/matrix/client" });
    expect(response.statusCode).toBe(200);
    expect(specErrors("GET", "/.well-known/matrix/client", 200, response.json())).toEqual([]);
    expect(response.json()).toEqual({ "m.homeserver": { base_url: "https://matrix.test.local/" } });
  });

  it("GET /capabilities requires an access token", async () => {
    const response = await app.http.inject({ method: "GET", url: "/_matrix/client/v3/capabilities" });
    expect(response.statusCode).toBe(401);
    expect(response.json().errcode).toBe("M_MISSING_TOKEN");
  });

  it("GET /capabilities offers password change, profile fields, no 3pid changes, and the room versions", async () => {
    const user = await registerTestUser(app.http);
    const response = await app.http.inject({ method: "GET", url: "/_matrix/client/v3/capabilities", headers: bearer(user) });
    expect(response.statusCode).toBe(200);
    const { capabilities } = response.json();
    expect(specErrors("GET", "/_matrix/client/v3/capabilities", 200, response.json())).toEqual([]);
    expect(capabilities["m.change_password"]).toEqual({ enabled: true });
    expect(capabilities["m.set_displayname"]).toEqual({ enabled: true });
    expect(capabilities["m.set_avatar_url"]).toEqual({ enabled: true });
    expect(capabilities["m.3pid_changes"]).toEqual({ enabled: false });
    expect(capabilities["m.room_versions"].default).toBe(DEFAULT_ROOM_VERSION);
    expect(Object.keys(capabilities["m.room_versions"].available).sort()).toEqual([...KNOWN_ROOM_VERSIONS].sort());
  });
});
