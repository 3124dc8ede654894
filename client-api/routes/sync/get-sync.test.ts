import { beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../homeserver/app/testing/use-test-app.js";
import { bearer, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { createTestRoom } from "../../../homeserver/rooms/testing/http-rooms.js";
import { specErrors } from "../../../homeserver/sync/testing/spec-schemas.js";
import type { SyncResponse } from "../../../schemas/client/sync/get-sync.js";

const SYNC = "/_matrix/client/v3/sync";

describe.each(testDrivers())("GET /sync on %s", (driver) => {
  const {
    app,
    users: [alice],
  } = useTestApp(driver, { users: 1 });
  let roomId: string;
  beforeAll(async () => {
    roomId = await createTestRoom(app.http, alice, { name: "Sync room" });
  });

  const sync = (query: Record<string, string>, who: TestUser = alice) =>
    app.http.inject({ method: "GET", url: SYNC, query, headers: bearer(who) });
  const send = (body: string, txnId: string) =>
    app.http.inject({
      method: "PUT",
      url: `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${txnId}`,
      headers: bearer(alice),
      payload: { msgtype: "m.text", body },
    });

  it("requires an access token", async () => {
    const response = await app.http.inject({ method: "GET", url: SYNC });
    expect(response.statusCode).toBe(401);
    expect(response.json().errcode).toBe("M_MISSING_TOKEN");
  });

  it("an initial sync conforms to the spec and carries the room, its state and the sender's transaction id", async () => {
    await send("hello", "txn-initial");
    const response = await sync({});
    expect(response.statusCode).toBe(200);
    const body = response.json() as SyncResponse;
    expect(specErrors(SYNC, "GET", 200, body)).toEqual([]);
    const room = body.rooms!.join![roomId];
    // A young room fits in the timeline, so its state arrives there; `state` is what precedes the timeline.
    expect([...room.state!.events, ...room.timeline.events].some((e) => e.type === "m.room.name")).toBe(true);
    expect(room.timeline.events.at(-1)).toMatchObject({ content: { body: "hello" }, unsigned: { transaction_id: "txn-initial" } });
  });

  it("long-polls with since and timeout until a message is sent", async () => {
    const first = (await sync({})).json() as SyncResponse;
    const polling = sync({ since: first.next_batch, timeout: "20000" });
    await new Promise((r) => setTimeout(r, 50));
    const sent = (await send("ping", "txn-poll")).json().event_id;
    const response = await polling;
    expect(response.statusCode).toBe(200);
    const body = response.json() as SyncResponse;
    expect(specErrors(SYNC, "GET", 200, body)).toEqual([]);
    expect(body.rooms!.join![roomId].timeline.events.map((e) => e.event_id)).toEqual([sent]);
  });

  it("accepts inline filters and filter ids, full_state and set_presence", async () => {
    const inline = await sync({ filter: JSON.stringify({ room: { timeline: { limit: 1 } } }), set_presence: "offline" });
    expect((inline.json() as SyncResponse).rooms!.join![roomId].timeline.events).toHaveLength(1);
    const defined = await app.http.inject({
      method: "POST",
      url: `/_matrix/client/v3/user/${encodeURIComponent(alice.userId)}/filter`,
      headers: bearer(alice),
      payload: { room: { timeline: { limit: 2 } } },
    });
    const byId = await sync({ filter: defined.json().filter_id });
    expect((byId.json() as SyncResponse).rooms!.join![roomId].timeline.events).toHaveLength(2);
    const since = (inline.json() as SyncResponse).next_batch;
    const full = await sync({ since, full_state: "true", timeout: "30000" });
    expect((full.json() as SyncResponse).rooms!.join![roomId].state!.events.length).toBeGreaterThan(3);
    const after = (await sync({ use_state_after: "true" })).json() as SyncResponse;
    expect(specErrors(SYNC, "GET", 200, after)).toEqual([]);
    expect(after.rooms!.join![roomId].state).toBeUndefined();
    expect(after.rooms!.join![roomId].state_after!.events.some((e) => e.type === "m.room.name")).toBe(true);
  });

  it("answers 400 for a bad since token, an unknown filter, bad filter JSON and an unknown set_presence", async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ since: "nonsense" }, "M_INVALID_PARAM"],
      [{ filter: "99999" }, "M_INVALID_PARAM"],
      [{ filter: "{oops" }, "M_NOT_JSON"],
      [{ set_presence: "dancing" }, "M_INVALID_PARAM"],
    ];
    for (const [query, errcode] of cases) {
      const response = await sync(query);
      expect(response.statusCode, JSON.stringify(query)).toBe(400);
      expect(response.json().errcode, JSON.stringify(query)).toBe(errcode);
    }
  });
});
