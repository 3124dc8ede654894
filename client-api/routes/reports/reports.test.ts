import { beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../homeserver/app/testing/use-test-app.js";
import { bearer, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { createTestRoom } from "../../../homeserver/rooms/testing/http-rooms.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";

const V3 = "/_matrix/client/v3";
const enc = encodeURIComponent;

describe.each(testDrivers())("report routes on %s", (driver) => {
  const {
    app,
    users: [alice, bob],
  } = useTestApp(driver, { users: 2 });
  let roomId: string;
  let eventId: string;
  beforeAll(async () => {
    roomId = await createTestRoom(app.http, alice, { preset: "private_chat" });
    eventId = (
      await app.http.inject({ method: "PUT", url: `${V3}/rooms/${enc(roomId)}/send/m.room.message/r1`, headers: bearer(alice), payload: { msgtype: "m.text", body: "spam" } })
    ).json().event_id;
  });

  const post = (url: string, payload: unknown, who: TestUser = alice) => app.http.inject({ method: "POST", url, headers: bearer(who), payload: payload as object });

  it("stores a report of a visible event with its reason and score and answers {}", async () => {
    const response = await post(`${V3}/rooms/${enc(roomId)}/report/${enc(eventId)}`, { reason: "spam", score: -100 });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({});
    expect(specErrors("POST", "/_matrix/client/v3/rooms/{roomId}/report/{eventId}", 200, response.json())).toEqual([]);
    const [stored] = await app.ctx.stores.reports.recent(1);
    expect(stored).toMatchObject({ kind: "event", reporter: alice.userId, roomId, eventId, reason: "spam", score: -100 });
  });

  it("answers 404 M_NOT_FOUND for an unknown event and for one the reporter cannot see", async () => {
    const unknown = await post(`${V3}/rooms/${enc(roomId)}/report/${enc("$nope")}`, { reason: "x" });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().errcode).toBe("M_NOT_FOUND");
    expect(specErrors("POST", "/_matrix/client/v3/rooms/{roomId}/report/{eventId}", 404, unknown.json())).toEqual([]);
    const outsider = await post(`${V3}/rooms/${enc(roomId)}/report/${enc(eventId)}`, { reason: "x" }, bob);
    expect(outsider.statusCode).toBe(404);
    expect(outsider.json().errcode).toBe("M_NOT_FOUND");
    const wrongRoom = await post(`${V3}/rooms/${enc("!other:test.local")}/report/${enc(eventId)}`, { reason: "x" });
    expect(wrongRoom.statusCode).toBe(404);
  });

  it("refuses a reason or score of the wrong type with 400 M_BAD_JSON", async () => {
    const reason = await post(`${V3}/rooms/${enc(roomId)}/report/${enc(eventId)}`, { reason: 5 });
    expect(reason.statusCode).toBe(400);
    expect(reason.json().errcode).toBe("M_BAD_JSON");
    const score = await post(`${V3}/rooms/${enc(roomId)}/report/${enc(eventId)}`, { score: 1e300 });
    expect(score.statusCode).toBe(400);
  });

  it("reports a known room (the reporter need not be in it), and answers 404 for an unknown one", async () => {
    const response = await post(`${V3}/rooms/${enc(roomId)}/report`, { reason: "" }, bob);
    expect(response.statusCode).toBe(200);
    expect((await app.ctx.stores.reports.recent(1))[0]).toMatchObject({ kind: "room", reporter: bob.userId, roomId, reason: "" });
    const unknown = await post(`${V3}/rooms/${enc("!unknown:test.local")}/report`, { reason: "x" });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().errcode).toBe("M_NOT_FOUND");
    const missing = await post(`${V3}/rooms/${enc(roomId)}/report`, {});
    expect(missing.statusCode).toBe(400);
  });

  it("reports a local user; a remote or unknown user is answered 200 without revealing it, a malformed id is 400", async () => {
    const response = await post(`${V3}/users/${enc(bob.userId)}/report`, { reason: "rude" });
    expect(response.statusCode).toBe(200);
    expect(specErrors("POST", "/_matrix/client/v3/users/{userId}/report", 200, response.json())).toEqual([]);
    expect((await app.ctx.stores.reports.recent(1))[0]).toMatchObject({ kind: "user", reporter: alice.userId, targetUserId: bob.userId, reason: "rude" });
    const before = (await app.ctx.stores.reports.recent(1))[0].id;
    expect((await post(`${V3}/users/${enc("@nobody:test.local")}/report`, { reason: "x" })).statusCode).toBe(200);
    expect((await post(`${V3}/users/${enc("@someone:elsewhere.example")}/report`, { reason: "x" })).statusCode).toBe(200);
    expect((await app.ctx.stores.reports.recent(1))[0].id).toBe(before);
    const bad = await post(`${V3}/users/${enc("not-a-user")}/report`, { reason: "x" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errcode).toBe("M_INVALID_PARAM");
    const long = await post(`${V3}/users/${enc(bob.userId)}/report`, { reason: "x".repeat(1001) });
    expect(long.statusCode).toBe(400);
  });
});
