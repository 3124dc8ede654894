import { beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../homeserver/app/test-app.js";
import { useTestApp } from "../homeserver/app/testing/use-test-app.js";
import { bearer } from "../homeserver/users/testing/http-users.js";
import { r0UrlOf } from "./r0-routes.js";

const R0 = "/_matrix/client/r0";

describe("r0UrlOf", () => {
  it("maps a v3 operation that existed in r0 to the same route under r0, whatever its parameters are named", () => {
    expect(r0UrlOf("PUT", "/_matrix/client/v3/rooms/:roomId/send/:eventType/:txnId")).toBe(`${R0}/rooms/:roomId/send/:eventType/:txnId`);
    expect(r0UrlOf("GET", "/_matrix/client/v3/sync")).toBe(`${R0}/sync`);
    expect(r0UrlOf("DELETE", "/_matrix/client/v3/directory/room/:alias")).toBe(`${R0}/directory/room/:alias`);
  });

  it("leaves operations added since v1.1, other methods and other prefixes out of r0", () => {
    expect(r0UrlOf("POST", "/_matrix/client/v3/knock/:roomIdOrAlias")).toBeUndefined();
    expect(r0UrlOf("POST", "/_matrix/client/v3/refresh")).toBeUndefined();
    expect(r0UrlOf("DELETE", "/_matrix/client/v3/profile/:userId/:keyName")).toBeUndefined();
    expect(r0UrlOf("HEAD", "/_matrix/client/v3/sync")).toBeUndefined();
    expect(r0UrlOf("GET", "/_matrix/client/v1/register/m.login.registration_token/validity")).toBeUndefined();
    expect(r0UrlOf("GET", "/_matrix/client/versions")).toBeUndefined();
  });

  it("limits the profile field under r0 to the displayname and avatar_url that r0 had", () => {
    const url = r0UrlOf("GET", "/_matrix/client/v3/profile/:userId/:keyName");
    expect(url).toMatch(/^\/_matrix\/client\/r0\/profile\/:userId\/:keyName\(.+\)$/);
  });
});

describe.each(testDrivers())("the r0 client API on %s", (driver) => {
  const {
    app,
    users: [alice],
  } = useTestApp(driver, { users: 1 });
  let roomId: string;
  beforeAll(async () => {
    const created = await app.http.inject({ method: "POST", url: `${R0}/createRoom`, headers: bearer(alice), payload: {} });
    expect(created.statusCode).toBe(200);
    roomId = created.json().room_id;
  });

  it("POST /r0/login logs in with a password, as r0 clients (Hydrogen, matrix-commander) do", async () => {
    const response = await app.http.inject({
      method: "POST",
      url: `${R0}/login`,
      payload: { type: "m.login.password", identifier: { type: "m.id.user", user: alice.localpart }, password: alice.password },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().user_id).toBe(alice.userId);
    expect(typeof response.json().access_token).toBe("string");
    expect((await app.http.inject({ method: "GET", url: `${R0}/login` })).json().flows).toEqual([{ type: "m.login.password" }]);
  });

  it("PUT /r0/rooms/{roomId}/send/... sends an event that GET /r0/sync and /r0/rooms/{roomId}/event return", async () => {
    const room = `${R0}/rooms/${encodeURIComponent(roomId)}`;
    const sent = await app.http.inject({ method: "PUT", url: `${room}/send/m.room.message/r0-txn-1`, headers: bearer(alice), payload: { msgtype: "m.text", body: "over r0" } });
    expect(sent.statusCode).toBe(200);
    const eventId = sent.json().event_id as string;
    const sync = await app.http.inject({ method: "GET", url: `${R0}/sync`, query: { timeout: "0" }, headers: bearer(alice) });
    expect(sync.statusCode).toBe(200);
    const timeline = sync.json().rooms.join[roomId].timeline.events as Array<{ event_id: string }>;
    expect(timeline.map((e) => e.event_id)).toContain(eventId);
    const event = await app.http.inject({ method: "GET", url: `${room}/event/${encodeURIComponent(eventId)}`, headers: bearer(alice) });
    expect(event.json().content.body).toBe("over r0");
  });

  it("serves the r0 profile fields and state paths, with and without a state key", async () => {
    const profile = `${R0}/profile/${encodeURIComponent(alice.userId)}`;
    const set = await app.http.inject({ method: "PUT", url: `${profile}/displayname`, headers: bearer(alice), payload: { displayname: "Alice r0" } });
    expect(set.statusCode).toBe(200);
    expect((await app.http.inject({ method: "GET", url: `${profile}/displayname` })).json()).toEqual({ displayname: "Alice r0" });
    const room = `${R0}/rooms/${encodeURIComponent(roomId)}`;
    const topic = await app.http.inject({ method: "PUT", url: `${room}/state/m.room.topic`, headers: bearer(alice), payload: { topic: "r0 topic" } });
    expect(topic.statusCode).toBe(200);
    expect((await app.http.inject({ method: "GET", url: `${room}/state/m.room.topic/`, headers: bearer(alice) })).json()).toEqual({ topic: "r0 topic" });
  });

  it("answers 404 M_UNRECOGNIZED under r0 for endpoints added since v1.1 (knock, refresh, custom profile fields)", async () => {
    for (const [method, url] of [
      ["POST", `${R0}/knock/${encodeURIComponent(roomId)}`],
      ["POST", `${R0}/refresh`],
      ["GET", `${R0}/profile/${encodeURIComponent(alice.userId)}/m.example`],
    ] as const) {
      const response = await app.http.inject({ method, url, headers: bearer(alice), payload: {} });
      expect(response.statusCode, url).toBe(404);
      expect(response.json().errcode).toBe("M_UNRECOGNIZED");
    }
    const knock = await app.http.inject({ method: "POST", url: `/_matrix/client/v3/knock/${encodeURIComponent(roomId)}`, headers: bearer(alice), payload: {} });
    expect(knock.statusCode).not.toBe(404);
  });

  it("GET /versions advertises the r0 releases it serves", async () => {
    const versions = (await app.http.inject({ method: "GET", url: "/_matrix/client/versions" })).json().versions as string[];
    expect(versions).toEqual(expect.arrayContaining(["r0.5.0", "r0.6.0", "r0.6.1", "v1.1"]));
    expect((await app.http.inject({ method: "GET", url: `${R0}/account/whoami`, headers: bearer(alice) })).json().user_id).toBe(alice.userId);
  });
});
