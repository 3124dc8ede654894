import { describe, expect, it } from "vitest";
import { testDrivers } from "../../app/test-app.js";
import { useTestApp } from "../../app/testing/use-test-app.js";
import { bearer, freshLocalpart, registerTestUser } from "../testing/http-users.js";
import { specErrors } from "../testing/spec-responses.js";

const V3 = "/_matrix/client/v3";

interface Guest {
  userId: string;
  accessToken: string;
  deviceId: string;
}

describe.each(testDrivers())("guest access on %s", (driver) => {
  const {
    app,
    users: [owner],
  } = useTestApp(driver, { config: { guest_access: { enabled: true } }, users: 1 });

  const call = (method: "GET" | "POST" | "PUT" | "DELETE", url: string, who?: { accessToken: string }, payload?: unknown) =>
    app.http.inject({ method, url, headers: who ? bearer(who) : {}, payload: payload as object | undefined });

  const registerGuest = async (body: Record<string, unknown> = {}): Promise<Guest> => {
    const response = await call("POST", `${V3}/register?kind=guest`, undefined, body);
    expect(response.statusCode).toBe(200);
    expect(specErrors("POST", "/_matrix/client/v3/register", 200, response.json())).toEqual([]);
    const reply = response.json() as { user_id: string; access_token: string; device_id: string; home_server: string };
    return { userId: reply.user_id, accessToken: reply.access_token, deviceId: reply.device_id };
  };

  const createRoom = async (guestAccess: "can_join" | "forbidden" | undefined) => {
    const initial_state = guestAccess ? [{ type: "m.room.guest_access", state_key: "", content: { guest_access: guestAccess } }] : [];
    const response = await call("POST", `${V3}/createRoom`, owner, { preset: "public_chat", initial_state });
    expect(response.statusCode).toBe(200);
    return (response.json() as { room_id: string }).room_id;
  };
  const room = (roomId: string) => `${V3}/rooms/${encodeURIComponent(roomId)}`;

  it("registers a guest without any auth: a generated numeric id, a device and a token that says guest", async () => {
    const guest = await registerGuest({ initial_device_display_name: "Guest phone" });
    expect(guest.userId).toMatch(/^@\d+:test\.local$/);
    const whoami = await call("GET", `${V3}/account/whoami`, guest);
    expect(whoami.statusCode).toBe(200);
    expect(whoami.json()).toEqual({ user_id: guest.userId, device_id: guest.deviceId, is_guest: true });
    const device = await call("GET", `${V3}/devices/${guest.deviceId}`, guest);
    expect(device.statusCode).toBe(200);
    expect(device.json().display_name).toBe("Guest phone");
  });

  it.each([
    ["POST", `${V3}/createRoom`, { preset: "private_chat" }],
    ["POST", `${V3}/user_directory/search`, { search_term: "a" }],
    ["PUT", `${V3}/user/@x:test.local/account_data/org.example`, {}],
    ["POST", `${V3}/user/@x:test.local/filter`, {}],
    ["GET", `${V3}/pushrules/`, undefined],
    ["POST", `${V3}/logout`, {}],
    ["PUT", `${V3}/profile/@x:test.local/avatar_url`, { avatar_url: "mxc://a/b" }],
    ["POST", `${V3}/rooms/!r:test.local/invite`, { user_id: "@a:test.local" }],
    ["POST", `${V3}/rooms/!r:test.local/receipt/m.read/$e`, {}],
    ["PUT", `${V3}/rooms/!r:test.local/typing/@x:test.local`, { typing: true }],
  ] as const)("refuses a guest %s %s with 403 M_GUEST_ACCESS_FORBIDDEN", async (method, url, body) => {
    const guest = await registerGuest();
    const response = await call(method, url.replaceAll("@x:test.local", encodeURIComponent(guest.userId)), guest, body);
    expect(response.statusCode).toBe(403);
    expect(response.json().errcode).toBe("M_GUEST_ACCESS_FORBIDDEN");
  });

  it("lets a guest sync, list its devices and set its display name", async () => {
    const guest = await registerGuest();
    expect((await call("GET", `${V3}/sync?timeout=0`, guest)).statusCode).toBe(200);
    expect((await call("GET", `${V3}/devices`, guest)).statusCode).toBe(200);
    const name = await call("PUT", `${V3}/profile/${encodeURIComponent(guest.userId)}/displayname`, guest, { displayname: "Visitor" });
    expect(name.statusCode).toBe(200);
    expect((await call("GET", `${V3}/profile/${encodeURIComponent(guest.userId)}`, guest)).json().displayname).toBe("Visitor");
  });

  it.each([undefined, "forbidden"] as const)("refuses a guest's join of a room whose guest_access is %s", async (guestAccess) => {
    const roomId = await createRoom(guestAccess);
    const guest = await registerGuest();
    for (const url of [`${room(roomId)}/join`, `${V3}/join/${encodeURIComponent(roomId)}`]) {
      const response = await call("POST", url, guest, {});
      expect(response.statusCode).toBe(403);
      expect(response.json().errcode).toBe("M_GUEST_ACCESS_FORBIDDEN");
    }
    // A full account still joins the same public room.
    const member = await registerTestUser(app.http);
    expect((await call("POST", `${room(roomId)}/join`, member, {})).statusCode).toBe(200);
  });

  it("refuses a guest's join of a room this server does not know", async () => {
    const guest = await registerGuest();
    const response = await call("POST", `${V3}/join/${encodeURIComponent("!nowhere:elsewhere.example")}`, guest, {});
    expect(response.statusCode).toBe(403);
    expect(response.json().errcode).toBe("M_GUEST_ACCESS_FORBIDDEN");
  });

  it("lets a guest join a can_join room, read it, send to it and leave it", async () => {
    const roomId = await createRoom("can_join");
    await call("PUT", `${room(roomId)}/send/m.room.message/t1`, owner, { msgtype: "m.text", body: "welcome" });
    const guest = await registerGuest();
    const joined = await call("POST", `${room(roomId)}/join`, guest, {});
    expect(joined.statusCode).toBe(200);
    expect(joined.json()).toEqual({ room_id: roomId });

    const messages = await call("GET", `${room(roomId)}/messages?dir=b&limit=10`, guest);
    expect(messages.statusCode).toBe(200);
    expect((messages.json().chunk as Array<{ content: { body?: string } }>).some((e) => e.content.body === "welcome")).toBe(true);
    expect((await call("GET", `${room(roomId)}/members`, guest)).statusCode).toBe(200);
    expect((await call("GET", `${room(roomId)}/state`, guest)).statusCode).toBe(200);
    const sent = await call("PUT", `${room(roomId)}/send/m.room.message/g1`, guest, { msgtype: "m.text", body: "hi" });
    expect(sent.statusCode).toBe(200);
    expect((await call("GET", `${V3}/joined_rooms`, guest)).json().joined_rooms).toContain(roomId);
    expect((await call("POST", `${room(roomId)}/leave`, guest, {})).statusCode).toBe(200);
  });

  it("makes joined guests leave once the room's guest_access stops saying can_join, and only guests", async () => {
    const roomId = await createRoom("can_join");
    const guest = await registerGuest();
    const member = await registerTestUser(app.http);
    expect((await call("POST", `${room(roomId)}/join`, guest, {})).statusCode).toBe(200);
    expect((await call("POST", `${room(roomId)}/join`, member, {})).statusCode).toBe(200);
    const changed = await call("PUT", `${room(roomId)}/state/m.room.guest_access`, owner, { guest_access: "forbidden" });
    expect(changed.statusCode).toBe(200);

    const membershipOf = async (userId: string) =>
      (await call("GET", `${room(roomId)}/state/m.room.member/${encodeURIComponent(userId)}`, owner)).json().membership as string;
    const deadline = Date.now() + 5000;
    while ((await membershipOf(guest.userId)) !== "leave" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await membershipOf(guest.userId)).toBe("leave");
    expect(await membershipOf(member.userId)).toBe("join");
    // And the guest cannot come back.
    expect((await call("POST", `${room(roomId)}/join`, guest, {})).json().errcode).toBe("M_GUEST_ACCESS_FORBIDDEN");
  });

  it("upgrades a guest to a full account with guest_access_token, keeping its user id", async () => {
    const guest = await registerGuest();
    const localpart = guest.userId.slice(1, guest.userId.indexOf(":"));
    const body = { username: localpart, password: "correct horse battery staple", guest_access_token: guest.accessToken, auth: { type: "m.login.dummy" } };
    const upgraded = await call("POST", `${V3}/register`, undefined, body);
    expect(upgraded.statusCode).toBe(200);
    expect(upgraded.json().user_id).toBe(guest.userId);
    const full = { accessToken: upgraded.json().access_token as string };
    expect((await call("GET", `${V3}/account/whoami`, full)).json().is_guest).toBe(false);
    // The guest's own token now belongs to a full account too.
    expect((await call("GET", `${V3}/account/whoami`, guest)).json().is_guest).toBe(false);
    expect((await call("POST", `${V3}/createRoom`, guest, {})).statusCode).toBe(200);
    const login = await call("POST", `${V3}/login`, undefined, {
      type: "m.login.password",
      identifier: { type: "m.id.user", user: localpart },
      password: "correct horse battery staple",
    });
    expect(login.statusCode).toBe(200);
    expect(login.json().user_id).toBe(guest.userId);
    // Upgrading twice is refused: the account is no longer a guest.
    const again = await call("POST", `${V3}/register`, undefined, body);
    expect(again.statusCode).toBe(403);
  });

  it("refuses an upgrade naming another username, a full account's token, or an unknown token", async () => {
    const guest = await registerGuest();
    const base = { password: "correct horse battery staple", auth: { type: "m.login.dummy" } };
    const otherName = await call("POST", `${V3}/register`, undefined, { ...base, username: freshLocalpart(), guest_access_token: guest.accessToken });
    expect(otherName.statusCode).toBe(403);
    expect(otherName.json().errcode).toBe("M_FORBIDDEN");
    const fullToken = await call("POST", `${V3}/register`, undefined, { ...base, username: owner.localpart, guest_access_token: owner.accessToken });
    expect(fullToken.statusCode).toBe(403);
    const unknown = await call("POST", `${V3}/register`, undefined, { ...base, guest_access_token: "mat_nonsense" });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().errcode).toBe("M_UNKNOWN_TOKEN");
    // The guest is still a guest.
    expect((await call("GET", `${V3}/account/whoami`, guest)).json().is_guest).toBe(true);
  });
});

describe.each(testDrivers())("guest access switched off (the default) on %s", (driver) => {
  const { app } = useTestApp(driver);

  it("refuses guest registration with 403 M_GUEST_ACCESS_FORBIDDEN", async () => {
    const response = await app.http.inject({ method: "POST", url: `${V3}/register?kind=guest`, payload: {} });
    expect(response.statusCode).toBe(403);
    expect(response.json().errcode).toBe("M_GUEST_ACCESS_FORBIDDEN");
  });
});

describe.each(testDrivers())("guest access with registration of full accounts off on %s", (driver) => {
  const { app } = useTestApp(driver, { config: { guest_access: { enabled: true }, registration: { enabled: false } } });

  it("still registers guests (guest_access.enabled alone decides, as Synapse's allow_guest_access)", async () => {
    const response = await app.http.inject({ method: "POST", url: `${V3}/register?kind=guest`, payload: {} });
    expect(response.statusCode).toBe(200);
    expect(response.json().user_id).toMatch(/^@\d+:test\.local$/);
  });
});
