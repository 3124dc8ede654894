import { beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../homeserver/app/test-app.js";
import { useTestApp } from "../../homeserver/app/testing/use-test-app.js";
import { bearer } from "../../homeserver/users/testing/http-users.js";

const V3 = "/_matrix/client/v3";
const enc = encodeURIComponent;
const LONG_HOST = "h".repeat(300);

describe.each(testDrivers())("malformed server names are 400 M_INVALID_PARAM before any request to another server, on %s", (driver) => {
  const {
    app,
    users: [alice],
  } = useTestApp(driver, { users: 1 });
  let outgoing: string[];
  beforeAll(async () => {
    // Every request to another server goes through this one client; count the destinations it is asked for.
    const client = app.ctx.federation.client;
    const request = client.request.bind(client);
    client.request = (async (r: Parameters<typeof request>[0]) => {
      outgoing.push(r.destination);
      return request(r);
    }) as typeof client.request;
  });

  const cases: Array<[string, "GET" | "POST", string]> = [
    ["join a room id whose port is above 65535", "POST", `${V3}/join/${enc("!x:localhost:99999")}`],
    ["join a room id with a 300-character host", "POST", `${V3}/join/${enc(`!x:${LONG_HOST}`)}`],
    ["join an alias with a bad port", "POST", `${V3}/join/${enc("#a:localhost:99999")}`],
    ["join an alias whose host was invalid UTF-8", "POST", `${V3}/join/${enc("#a:b\uFFFDd.example")}`],
    ["join through a bad server_name", "POST", `${V3}/join/${enc("!x:example.org")}?server_name=${enc("localhost:99999")}`],
    ["join through a bad via", "POST", `${V3}/join/${enc("!x:example.org")}?via=${enc(LONG_HOST)}`],
    ["knock through a bad server_name", "POST", `${V3}/knock/${enc("!x:example.org")}?server_name=${enc("bad host")}`],
    ["resolve an alias on a bad server", "GET", `${V3}/directory/room/${enc("#a:localhost:99999")}`],
    ["list a bad server's public rooms", "GET", `${V3}/publicRooms?server=${enc("localhost:99999")}`],
    ["search a bad server's public rooms", "POST", `${V3}/publicRooms?server=${enc(LONG_HOST)}`],
  ];
  it.each(cases)("%s", async (_name, method, url) => {
    outgoing = [];
    const response = await app.http.inject({ method, url, headers: bearer(alice), payload: method === "POST" ? {} : undefined });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().errcode).toBe("M_INVALID_PARAM");
    expect(outgoing).toEqual([]);
  });

  it.each(["@x:localhost:http", "@a:[::1", `@b:${LONG_HOST}`, "not-a-user"])("invite, kick or ban of %s in a real room", async (target) => {
    const room = (await app.http.inject({ method: "POST", url: `${V3}/createRoom`, headers: bearer(alice), payload: {} })).json().room_id as string;
    for (const action of ["invite", "kick", "ban"]) {
      outgoing = [];
      const response = await app.http.inject({ method: "POST", url: `${V3}/rooms/${enc(room)}/${action}`, headers: bearer(alice), payload: { user_id: target } });
      expect(response.statusCode, `${action}: ${response.body}`).toBe(400);
      // A body the route's schema already refuses is M_BAD_JSON; a well-formed id with a bad server, M_INVALID_PARAM.
      expect(["M_INVALID_PARAM", "M_BAD_JSON"]).toContain(response.json().errcode);
      expect(outgoing).toEqual([]);
    }
  });

  it("a room id or alias that is neither is refused too", async () => {
    const response = await app.http.inject({ method: "POST", url: `${V3}/join/${enc("not-a-room")}`, headers: bearer(alice), payload: {} });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().errcode).toBe("M_INVALID_PARAM");
  });
});
