import { describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../homeserver/app/testing/use-test-app.js";
import { bearer, registerTestUser } from "../../../homeserver/users/testing/http-users.js";

type User = Awaited<ReturnType<typeof registerTestUser>>;

describe.each(testDrivers())("POST /createRoom (%s)", (driver) => {
  const {
    app,
    users: [creator],
  } = useTestApp(driver, { users: 1 });

  const createRoom = (payload: Record<string, unknown>, as: User = creator) =>
    app.http.inject({ method: "POST", url: "/_matrix/client/v3/createRoom", headers: bearer(as), payload });
  const joinedRooms = async (as: User = creator): Promise<string[]> =>
    (await app.http.inject({ method: "GET", url: "/_matrix/client/v3/joined_rooms", headers: bearer(as) })).json().joined_rooms;

  it.each([
    ["a power_level_content_override the auth rules refuse", { power_level_content_override: { users_default: "0" } }, "M_INVALID_ROOM_STATE"],
    ["initial_state that cannot be sent", { initial_state: [{ type: "m.room.create", state_key: "", content: {} }] }, "M_INVALID_ROOM_STATE"],
    ["a name that is not a string", { name: 5 }, "M_BAD_JSON"],
    ["a topic that is not a string", { topic: ["x"] }, "M_BAD_JSON"],
    ["an invalid room_alias_name", { room_alias_name: "a:b" }, "M_INVALID_PARAM"],
    ["a third-party invite", { invite_3pid: [{ id_server: "id.example", id_access_token: "t", medium: "email", address: "a@example.org" }] }, "M_INVALID_PARAM"],
    ["the creator in its own invite list", { invite: ["@self:test.local"] }, "M_INVALID_PARAM"],
  ])("%s is 400 with the spec's error, and the creator's joined_rooms does not grow", async (_what, payload, errcode) => {
    const before = await joinedRooms();
    const body = JSON.parse(JSON.stringify(payload).replace("@self:test.local", creator.userId));
    const response = await createRoom(body);
    expect(response.statusCode).toBe(400);
    expect(response.json().errcode).toBe(errcode);
    expect(await joinedRooms()).toEqual(before);
  });

  it("an alias that is already taken is 400 M_ROOM_IN_USE and makes no second room", async () => {
    const first = await createRoom({ room_alias_name: "taken" });
    expect(first.statusCode).toBe(200);
    const before = await joinedRooms();
    const second = await createRoom({ room_alias_name: "taken", name: "Second" });
    expect(second.statusCode).toBe(400);
    expect(second.json().errcode).toBe("M_ROOM_IN_USE");
    expect(await joinedRooms()).toEqual(before);
  });
});

describe.each(testDrivers())("default_room_version (%s)", (driver) => {
  const {
    app,
    users: [user],
  } = useTestApp(driver, { config: { default_room_version: "10" }, users: 1 });

  const roomVersionOf = async (roomId: string) =>
    (await app.http.inject({ method: "GET", url: `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/m.room.create/`, headers: bearer(user) })).json()
      .room_version;

  it("gives new rooms the configured version when the request names none, and the request's own otherwise", async () => {
    const plain = await app.http.inject({ method: "POST", url: "/_matrix/client/v3/createRoom", headers: bearer(user), payload: {} });
    expect(plain.statusCode).toBe(200);
    expect(await roomVersionOf(plain.json().room_id)).toBe("10");
    const asked = await app.http.inject({ method: "POST", url: "/_matrix/client/v3/createRoom", headers: bearer(user), payload: { room_version: "12" } });
    expect(await roomVersionOf(asked.json().room_id)).toBe("12");
  });

  it("advertises the configured version as m.room_versions.default in /capabilities", async () => {
    const response = await app.http.inject({ method: "GET", url: "/_matrix/client/v3/capabilities", headers: bearer(user) });
    expect(response.json().capabilities["m.room_versions"].default).toBe("10");
  });
});
