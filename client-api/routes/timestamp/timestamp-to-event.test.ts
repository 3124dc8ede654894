import { beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../homeserver/app/testing/use-test-app.js";
import { bearer, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { createTestRoom } from "../../../homeserver/rooms/testing/http-rooms.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";

const V3 = "/_matrix/client/v3";
const enc = encodeURIComponent;
const TEMPLATE = "/_matrix/client/v1/rooms/{roomId}/timestamp_to_event";

describe.each(testDrivers())("timestamp_to_event on %s", (driver) => {
  const {
    app,
    users: [alice, bob],
  } = useTestApp(driver, { users: 2 });
  let roomId: string;
  const sent: Array<{ eventId: string; ts: number }> = [];
  beforeAll(async () => {
    roomId = await createTestRoom(app.http, alice, { preset: "private_chat" });
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 5));
      const eventId = (
        await app.http.inject({ method: "PUT", url: `${V3}/rooms/${enc(roomId)}/send/m.room.message/t${i}`, headers: bearer(alice), payload: { msgtype: "m.text", body: `m${i}` } })
      ).json().event_id;
      const event = (await app.http.inject({ method: "GET", url: `${V3}/rooms/${enc(roomId)}/event/${enc(eventId)}`, headers: bearer(alice) })).json();
      sent.push({ eventId, ts: event.origin_server_ts });
    }
  });

  const lookup = (ts: number | string, dir: string, who: TestUser = alice, room = roomId) =>
    app.http.inject({ method: "GET", url: `/_matrix/client/v1/rooms/${enc(room)}/timestamp_to_event?ts=${ts}&dir=${dir}`, headers: bearer(who) });

  it("finds the first event at or after ts going forward, and the last at or before it going back", async () => {
    const forward = await lookup(sent[1].ts, "f");
    expect(forward.statusCode).toBe(200);
    expect(specErrors("GET", TEMPLATE, 200, forward.json())).toEqual([]);
    expect(forward.json()).toEqual({ event_id: sent[1].eventId, origin_server_ts: sent[1].ts });
    const back = await lookup(sent[2].ts + 100_000, "b");
    expect(back.json()).toEqual({ event_id: sent[2].eventId, origin_server_ts: sent[2].ts });
  });

  it("answers 404 M_NOT_FOUND when no event lies in that direction", async () => {
    const response = await lookup(sent[2].ts + 100_000, "f");
    expect(response.statusCode).toBe(404);
    expect(response.json().errcode).toBe("M_NOT_FOUND");
    expect(specErrors("GET", TEMPLATE, 404, response.json())).toEqual([]);
  });

  it("refuses a user who may not read the room with 403 M_FORBIDDEN", async () => {
    const response = await lookup(sent[0].ts, "f", bob);
    expect(response.statusCode).toBe(403);
    expect(response.json().errcode).toBe("M_FORBIDDEN");
  });

  it("refuses a bad dir, a missing or out-of-range ts with 400", async () => {
    expect((await lookup(sent[0].ts, "x")).statusCode).toBe(400);
    expect((await lookup("", "f")).statusCode).toBe(400);
    expect((await lookup("1e300", "f")).statusCode).toBe(400);
  });

  it("serves servers in the room over federation, and refuses others", async () => {
    const forServer = await app.ctx.roomReads.timestamps.forServer(roomId, sent[0].ts, "f");
    expect(forServer.event_id).toBe(sent[0].eventId);
    const unsigned = await app.http.inject({ method: "GET", url: `/_matrix/federation/v1/timestamp_to_event/${enc(roomId)}?ts=1&dir=f` });
    expect(unsigned.statusCode).toBe(401);
  });
});
