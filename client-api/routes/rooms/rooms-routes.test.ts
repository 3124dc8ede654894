import { describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../homeserver/app/testing/use-test-app.js";
import { bearer, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";

const V3 = "/_matrix/client/v3";

describe.each(testDrivers())("room write routes on %s", (driver) => {
  const {
    app,
    users: [alice, bob],
  } = useTestApp(driver, { users: 2 });

  const roomPath = (roomId: string) => `${V3}/rooms/${encodeURIComponent(roomId)}`;
  const call = (method: "GET" | "PUT" | "POST", url: string, who: TestUser, payload?: unknown) =>
    app.http.inject({ method, url, headers: bearer(who), payload: payload as object | undefined });
  const publicRoom = async () => (await call("POST", `${V3}/createRoom`, alice, { preset: "public_chat" })).json().room_id as string;
  const memberEvent = async (roomId: string, userId: string, who: TestUser = alice) =>
    (await call("GET", `${roomPath(roomId)}/state/m.room.member/${encodeURIComponent(userId)}`, who)).json();

  it("POST /rooms/{roomId}/send/{eventType} without a txnId sends a new event every time", async () => {
    const roomId = await publicRoom();
    const first = await call("POST", `${roomPath(roomId)}/send/m.room.message`, alice, { msgtype: "m.text", body: "same" });
    const second = await call("POST", `${roomPath(roomId)}/send/m.room.message`, alice, { msgtype: "m.text", body: "same" });
    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(200);
    expect(second.json().event_id).not.toBe(first.json().event_id);
    const event = await call("GET", `${roomPath(roomId)}/event/${encodeURIComponent(first.json().event_id)}`, alice);
    expect(event.json()).toMatchObject({ type: "m.room.message", content: { body: "same" } });
  });

  it("POST /rooms/{roomId}/redact/{eventId} without a txnId redacts the event", async () => {
    const roomId = await publicRoom();
    const sent = await call("PUT", `${roomPath(roomId)}/send/m.room.message/to-redact`, alice, { msgtype: "m.text", body: "oops" });
    const eventId = sent.json().event_id as string;
    const redaction = await call("POST", `${roomPath(roomId)}/redact/${encodeURIComponent(eventId)}`, alice, { reason: "typo" });
    expect(redaction.statusCode).toBe(200);
    expect(redaction.json().event_id).toMatch(/^\$/);
    const event = await call("GET", `${roomPath(roomId)}/event/${encodeURIComponent(eventId)}`, alice);
    expect(event.json().content).toEqual({});
    expect(event.json().unsigned.redacted_because.content.reason).toBe("typo");
  });

  it("PUT /state/m.room.member/{own user id} sets a per-room display name and avatar while joined", async () => {
    const roomId = await publicRoom();
    const content = { membership: "join", displayname: "Alice in this room", avatar_url: "mxc://test.local/room-avatar" };
    const response = await call("PUT", `${roomPath(roomId)}/state/m.room.member/${encodeURIComponent(alice.userId)}`, alice, content);
    expect(response.statusCode).toBe(200);
    expect(await memberEvent(roomId, alice.userId)).toEqual(content);
    const joined = await call("GET", `${roomPath(roomId)}/joined_members`, alice);
    expect(joined.json().joined[alice.userId]).toEqual({ display_name: "Alice in this room", avatar_url: "mxc://test.local/room-avatar" });
  });

  it("PUT /state/m.room.member stays refused for another user, for another membership and for a non-member", async () => {
    const roomId = await publicRoom();
    await call("POST", `${V3}/join/${encodeURIComponent(roomId)}`, bob, {});
    const memberUrl = (userId: string) => `${roomPath(roomId)}/state/m.room.member/${encodeURIComponent(userId)}`;
    const other = await call("PUT", memberUrl(bob.userId), alice, { membership: "join", displayname: "Not yours" });
    expect(other.statusCode).toBe(403);
    expect(other.json().errcode).toBe("M_FORBIDDEN");
    const leaving = await call("PUT", memberUrl(bob.userId), bob, { membership: "leave" });
    expect(leaving.statusCode).toBe(403);
    const stranger = await registerTestUser(app.http);
    expect((await call("PUT", memberUrl(stranger.userId), stranger, { membership: "join" })).statusCode).toBe(403);
    expect((await memberEvent(roomId, bob.userId)).membership).toBe("join");
  });

  it("setting identical state again returns the existing event id instead of a new event", async () => {
    const roomId = await publicRoom();
    const url = `${roomPath(roomId)}/state/m.room.topic`;
    const first = await call("PUT", url, alice, { topic: "same topic" });
    const again = await call("PUT", url, alice, { topic: "same topic" });
    expect(again.statusCode).toBe(200);
    expect(again.json().event_id).toBe(first.json().event_id);
    const changed = await call("PUT", url, alice, { topic: "another topic" });
    expect(changed.json().event_id).not.toBe(first.json().event_id);
    const member = `${roomPath(roomId)}/state/m.room.member/${encodeURIComponent(alice.userId)}`;
    const nick = await call("PUT", member, alice, { membership: "join", displayname: "Nick" });
    expect((await call("PUT", member, alice, { membership: "join", displayname: "Nick" })).json().event_id).toBe(nick.json().event_id);
  });

  it("a join keeps the reason and the other content fields the client sends, but not join_authorised_via_users_server", async () => {
    const roomId = await publicRoom();
    const body = { reason: "saying hello", "org.example.note": "hi", membership: "leave", join_authorised_via_users_server: alice.userId };
    const joined = await call("POST", `${V3}/join/${encodeURIComponent(roomId)}`, bob, body);
    expect(joined.statusCode).toBe(200);
    expect(await memberEvent(roomId, bob.userId)).toEqual({ membership: "join", displayname: bob.localpart, reason: "saying hello", "org.example.note": "hi" });
    const other = await publicRoom();
    await call("POST", `${roomPath(other)}/join`, bob, { reason: "by room id" });
    expect((await memberEvent(other, bob.userId)).reason).toBe("by room id");
  });

  it("GET /joined_members carries each member's display_name and avatar_url", async () => {
    const carol = await registerTestUser(app.http);
    await call("PUT", `${V3}/profile/${encodeURIComponent(carol.userId)}/avatar_url`, carol, { avatar_url: "mxc://test.local/carol" });
    await call("PUT", `${V3}/profile/${encodeURIComponent(carol.userId)}/displayname`, carol, { displayname: "Carol" });
    const roomId = (await call("POST", `${V3}/createRoom`, carol, { preset: "public_chat" })).json().room_id as string;
    const dave = await registerTestUser(app.http);
    await call("POST", `${V3}/join/${encodeURIComponent(roomId)}`, dave, {});
    // Set after joining: the profile change reaches the room as a new member event.
    await call("PUT", `${V3}/profile/${encodeURIComponent(dave.userId)}/avatar_url`, dave, { avatar_url: "mxc://test.local/dave" });
    const response = await call("GET", `${roomPath(roomId)}/joined_members`, dave);
    expect(response.json().joined).toEqual({
      [carol.userId]: { display_name: "Carol", avatar_url: "mxc://test.local/carol" },
      [dave.userId]: { display_name: dave.localpart, avatar_url: "mxc://test.local/dave" },
    });
  });

  it("GET /messages carries end while there are more events and omits it once the start of the room is reached", async () => {
    const roomId = await publicRoom();
    for (let i = 0; i < 3; i++) await call("PUT", `${roomPath(roomId)}/send/m.room.message/page-${i}`, alice, { msgtype: "m.text", body: `m${i}` });
    const seen: string[] = [];
    let from: string | undefined;
    for (let page = 0; page < 20; page++) {
      const response = await call("GET", `${roomPath(roomId)}/messages?dir=b&limit=2${from ? `&from=${encodeURIComponent(from)}` : ""}`, alice);
      expect(response.statusCode).toBe(200);
      const body = response.json();
      seen.push(...body.chunk.map((e: { type: string }) => e.type));
      if (body.end === undefined) break;
      expect(body.chunk.length).toBeGreaterThan(0);
      from = body.end;
    }
    expect(seen.at(-1)).toBe("m.room.create");
    expect(seen.filter((t) => t === "m.room.message")).toHaveLength(3);
    const forward = await call("GET", `${roomPath(roomId)}/messages?dir=f&limit=100`, alice);
    expect(forward.json().chunk.at(-1).content.body).toBe("m2");
    expect(forward.json().end).toBeUndefined();
  });
});
