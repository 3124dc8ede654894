import { beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../homeserver/app/testing/use-test-app.js";
import { bearer, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { createTestRoom } from "../../../homeserver/rooms/testing/http-rooms.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";

const V3 = "/_matrix/client/v3";
const enc = encodeURIComponent;

describe.each(testDrivers())("deprecated /events and /initialSync on %s", (driver) => {
  const {
    app,
    users: [alice, bob],
  } = useTestApp(driver, { users: 2 });
  let roomId: string;
  let firstId: string;
  beforeAll(async () => {
    roomId = await createTestRoom(app.http, alice, { preset: "private_chat", name: "legacy" });
    firstId = (await send("first")).event_id;
  });

  let txn = 0;
  async function send(body: string, who: TestUser = alice) {
    txn += 1;
    return (await app.http.inject({ method: "PUT", url: `${V3}/rooms/${enc(roomId)}/send/m.room.message/l${txn}`, headers: bearer(who), payload: { msgtype: "m.text", body } })).json();
  }
  const get = (url: string, who: TestUser = alice) => app.http.inject({ method: "GET", url, headers: bearer(who) });

  it("initialSync lists joined rooms with their state and latest messages, oldest first, and an end token", async () => {
    const response = await get(`${V3}/initialSync?limit=5`);
    expect(response.statusCode).toBe(200);
    expect(specErrors("GET", "/_matrix/client/v3/initialSync", 200, response.json())).toEqual([]);
    const body = response.json();
    const room = body.rooms.find((r: { room_id: string }) => r.room_id === roomId);
    expect(room.membership).toBe("join");
    expect(room.visibility).toBe("private");
    expect(room.state.some((e: { type: string }) => e.type === "m.room.name")).toBe(true);
    const chunk = room.messages.chunk;
    expect(chunk.length).toBeLessThanOrEqual(5);
    expect(chunk[chunk.length - 1].event_id).toBe(firstId);
    expect(typeof body.end).toBe("string");
  });

  it("room initialSync answers one room, and 403 to a user who was never in it", async () => {
    const response = await get(`${V3}/rooms/${enc(roomId)}/initialSync`);
    expect(response.statusCode).toBe(200);
    expect(specErrors("GET", "/_matrix/client/v3/rooms/{roomId}/initialSync", 200, response.json())).toEqual([]);
    expect(response.json()).toMatchObject({ room_id: roomId, membership: "join" });
    const outsider = await get(`${V3}/rooms/${enc(roomId)}/initialSync`, bob);
    expect(outsider.statusCode).toBe(403);
    expect(outsider.json().errcode).toBe("M_FORBIDDEN");
  });

  it("GET /events from initialSync's end returns events sent since, and waits for one when there are none", async () => {
    const end = (await get(`${V3}/initialSync?limit=0`)).json().end;
    const sent = await send("after");
    const response = await get(`${V3}/events?from=${enc(end)}&timeout=0`);
    expect(response.statusCode).toBe(200);
    expect(specErrors("GET", "/_matrix/client/v3/events", 200, response.json())).toEqual([]);
    const body = response.json();
    expect(body.start).toBe(end);
    expect(body.chunk.map((e: { event_id: string }) => e.event_id)).toEqual([sent.event_id]);
    const waiting = get(`${V3}/events?from=${enc(body.end)}&timeout=10000`);
    await new Promise((r) => setTimeout(r, 200));
    const later = await send("woken");
    const woken = (await waiting).json();
    expect(woken.chunk.map((e: { event_id: string }) => e.event_id)).toEqual([later.event_id]);
    const idle = (await get(`${V3}/events?from=${enc(woken.end)}&timeout=0`)).json();
    expect(idle).toEqual({ start: woken.end, end: woken.end, chunk: [] });
  });

  it("GET /events shows nothing from rooms the user is not in, and refuses a bad from with 400", async () => {
    const end = (await get(`${V3}/initialSync?limit=0`, bob)).json().end;
    await send("private");
    expect((await get(`${V3}/events?from=${enc(end)}&timeout=0`, bob)).json().chunk).toEqual([]);
    const bad = await get(`${V3}/events?from=garbage&timeout=0`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errcode).toBe("M_INVALID_PARAM");
  });

  it("GET /events/{eventId} answers a visible event and 404 for an unknown or hidden one", async () => {
    const response = await get(`${V3}/events/${enc(firstId)}`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ event_id: firstId, room_id: roomId, type: "m.room.message" });
    expect((await get(`${V3}/events/${enc("$unknown")}`)).statusCode).toBe(404);
    const hidden = await get(`${V3}/events/${enc(firstId)}`, bob);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json().errcode).toBe("M_NOT_FOUND");
  });
});
