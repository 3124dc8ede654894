import { describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../homeserver/app/testing/use-test-app.js";
import { bearer, registerTestUser } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";

const filterUrl = (userId: string, filterId?: string) =>
  `/_matrix/client/v3/user/${encodeURIComponent(userId)}/filter${filterId === undefined ? "" : `/${encodeURIComponent(filterId)}`}`;

const FILTER = {
  event_fields: ["type", "content", "sender"],
  event_format: "client",
  presence: { types: ["m.presence"], not_senders: ["@spam:example.com"] },
  room: {
    ephemeral: { not_rooms: ["!726s6s6q:example.com"], not_senders: ["@spam:example.com"] },
    state: { types: ["m.room.*"], not_rooms: ["!726s6s6q:example.com"], lazy_load_members: true },
    timeline: { limit: 10, types: ["m.room.message"], not_rooms: ["!726s6s6q:example.com"] },
  },
};

describe.each(testDrivers())("filter routes on %s", (driver) => {
  const {
    app,
    users: [user],
  } = useTestApp(driver, { users: 1 });

  const post = (userId: string, payload: unknown, who = user) =>
    app.http.inject({ method: "POST", url: filterUrl(userId), headers: bearer(who), payload: payload as object });
  const get = (userId: string, filterId: string, who = user) => app.http.inject({ method: "GET", url: filterUrl(userId, filterId), headers: bearer(who) });

  it("POST /filter stores the filter and returns its id as a string; GET returns it unchanged", async () => {
    const created = await post(user.userId, FILTER);
    expect(created.statusCode).toBe(200);
    expect(specErrors("POST", "/_matrix/client/v3/user/{userId}/filter", 200, created.json())).toEqual([]);
    const filterId = created.json().filter_id;
    expect(typeof filterId).toBe("string");
    expect(filterId.startsWith("{")).toBe(false);
    const fetched = await get(user.userId, filterId);
    expect(fetched.statusCode).toBe(200);
    expect(specErrors("GET", "/_matrix/client/v3/user/{userId}/filter/{filterId}", 200, fetched.json())).toEqual([]);
    expect(fetched.json()).toEqual(FILTER);
    expect(await app.ctx.users.filters.get(user.userId, filterId)).toEqual(FILTER);
  });

  it("accepts the empty filter and unknown keys", async () => {
    expect((await post(user.userId, {})).statusCode).toBe(200);
    expect((await post(user.userId, { "org.example.extension": true })).statusCode).toBe(200);
  });

  it.each([
    ["a limit that is not an integer", { room: { timeline: { limit: "ten" } } }],
    ["an unknown event_format", { event_format: "xml" }],
    ["types that are not a list of strings", { presence: { types: "m.presence" } }],
  ])("rejects %s with 400 M_BAD_JSON", async (_, filter) => {
    const response = await post(user.userId, filter);
    expect(response.statusCode).toBe(400);
    expect(response.json().errcode).toBe("M_BAD_JSON");
  });

  it("refuses to create a filter for another user with 403 M_FORBIDDEN", async () => {
    const other = await registerTestUser(app.http);
    const response = await post(other.userId, {});
    expect(response.statusCode).toBe(403);
    expect(response.json().errcode).toBe("M_FORBIDDEN");
  });

  it("answers 404 M_NOT_FOUND for unknown, malformed and other users' filter ids", async () => {
    const other = await registerTestUser(app.http);
    const theirs = (await post(other.userId, FILTER, other)).json().filter_id;
    for (const response of [await get(user.userId, "999999999"), await get(user.userId, "abc"), await get(user.userId, theirs), await get(other.userId, theirs)]) {
      expect(response.statusCode).toBe(404);
      expect(response.json().errcode).toBe("M_NOT_FOUND");
    }
    expect(await app.ctx.users.filters.get(user.userId, theirs)).toBeUndefined();
  });
});
