import { beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../homeserver/app/test-app.js";
import { useTestApp } from "../../homeserver/app/testing/use-test-app.js";
import { bearer, type TestUser } from "../../homeserver/users/testing/http-users.js";
import { createTestRoom } from "../../homeserver/rooms/testing/http-rooms.js";
import { MAX_JSON_DEPTH } from "../../homeserver/json-limits.js";

const V3 = "/_matrix/client/v3";
const NUL = "\u0000";
const enc = encodeURIComponent;

/** JSON text of `levels` nested objects, {"a":{"a":...{}}}: built as text, since JSON.stringify would recurse. */
const nestedObjectText = (levels: number) => `${'{"a":'.repeat(levels - 1)}{}${"}".repeat(levels - 1)}`;

describe.each(testDrivers())("input the server cannot keep is refused before any storage, on %s", (driver) => {
  const {
    app,
    users: [alice],
  } = useTestApp(driver, { users: 1 });
  let roomId: string;
  beforeAll(async () => {
    roomId = await createTestRoom(app.http, alice);
    await send(alice, roomId, "m.room.message", "first", { msgtype: "m.text", body: "hi" });
  });

  const send = (user: TestUser, room: string, type: string, txnId: string, content: unknown) =>
    app.http.inject({ method: "PUT", url: `${V3}/rooms/${enc(room)}/send/${enc(type)}/${enc(txnId)}`, headers: bearer(user), payload: JSON.stringify(content) });
  const raw = (method: "GET" | "PUT" | "POST" | "DELETE", url: string, payload?: string | Buffer) =>
    app.http.inject({ method, url, headers: { ...bearer(alice), "content-type": "application/json" }, payload });
  const messageCount = async () =>
    (await raw("GET", `${V3}/rooms/${enc(roomId)}/messages?dir=b&limit=100`)).json().chunk.filter((e: { type: string }) => e.type !== "m.room.create").length;

  describe("U+0000 in a path or query parameter is 400 M_INVALID_PARAM", () => {
    const cases: Array<[string, "GET" | "PUT" | "POST", () => string, string?]> = [
      ["room id in send", "PUT", () => `${V3}/rooms/${enc(`!a${NUL}b:test.local`)}/send/m.room.message/t1`, "{}"],
      ["event type", "PUT", () => `${V3}/rooms/${enc(roomId)}/send/${enc(`m.x${NUL}`)}/t2`, "{}"],
      ["txnId", "PUT", () => `${V3}/rooms/${enc(roomId)}/send/m.room.message/${enc(`t${NUL}3`)}`, "{}"],
      ["event id", "GET", () => `${V3}/rooms/${enc(roomId)}/event/${enc(`$e${NUL}`)}`],
      ["event id in redact", "PUT", () => `${V3}/rooms/${enc(roomId)}/redact/${enc(`$e${NUL}`)}/t4`, "{}"],
      ["state key", "PUT", () => `${V3}/rooms/${enc(roomId)}/state/m.room.topic/${enc(`k${NUL}`)}`, '{"topic":"x"}'],
      ["state event type", "GET", () => `${V3}/rooms/${enc(roomId)}/state/${enc(`m.room.name${NUL}`)}`],
      ["alias", "GET", () => `${V3}/directory/room/${enc(`#a${NUL}:test.local`)}`],
      ["alias to join", "POST", () => `${V3}/join/${enc(`#a${NUL}:test.local`)}`, "{}"],
      ["account data type", "PUT", () => `${V3}/user/${enc(alice.userId)}/account_data/${enc(`t${NUL}`)}`, "{}"],
      ["query parameter", "GET", () => `${V3}/rooms/${enc(roomId)}/messages?dir=b&from=${enc(`s${NUL}`)}`],
      ["key server name", "GET", () => `/_matrix/key/v2/query/${enc(`bad${NUL}.example`)}`],
    ];
    it.each(cases)("%s", async (_name, method, url, payload) => {
      const before = await messageCount();
      const response = await raw(method, url(), payload);
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().errcode).toBe("M_INVALID_PARAM");
      expect(await messageCount()).toBe(before);
    });
  });

  describe("U+0000 inside a JSON body is 400 M_BAD_JSON and nothing is written", () => {
    it("in event content, as a value and as a key", async () => {
      const before = await messageCount();
      for (const content of [{ msgtype: "m.text", body: `a${NUL}b` }, { [`k${NUL}`]: 1, body: "x", msgtype: "m.text" }]) {
        const response = await send(alice, roomId, "m.room.message", `nul-${Math.random()}`, content);
        expect(response.statusCode, response.body).toBe(400);
        expect(response.json().errcode).toBe("M_BAD_JSON");
      }
      expect(await messageCount()).toBe(before);
    });

    it("in a createRoom initial_state type, and no room is left behind", async () => {
      const joined = async () => (await raw("GET", `${V3}/joined_rooms`)).json().joined_rooms.length;
      const before = await joined();
      const response = await raw("POST", `${V3}/createRoom`, JSON.stringify({ initial_state: [{ type: `m.x${NUL}`, state_key: "", content: {} }] }));
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().errcode).toBe("M_BAD_JSON");
      expect(await joined()).toBe(before);
    });

    it("in account data", async () => {
      const url = `${V3}/user/${enc(alice.userId)}/account_data/org.example.nul`;
      const response = await raw("PUT", url, JSON.stringify({ value: `x${NUL}` }));
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().errcode).toBe("M_BAD_JSON");
      expect((await raw("GET", url)).statusCode).toBe(404);
    });

    it("in a filter given in the query string", async () => {
      const response = await raw("GET", `${V3}/sync?filter=${enc(JSON.stringify({ room: { rooms: [`!x${NUL}`] } }))}`);
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().errcode).toBe("M_BAD_JSON");
    });
  });

  describe(`JSON nested deeper than ${MAX_JSON_DEPTH} levels is 400 M_BAD_JSON, however deep`, () => {
    const bodies = [MAX_JSON_DEPTH + 1, 5_000, 100_000].map((levels) => [levels, nestedObjectText(levels)] as const);
    const targets: Array<[string, "PUT" | "POST", () => string, (text: string) => string]> = [
      ["account data", "PUT", () => `${V3}/user/${enc(alice.userId)}/account_data/org.example.deep`, (t) => t],
      ["room account data", "PUT", () => `${V3}/user/${enc(alice.userId)}/rooms/${enc(roomId)}/account_data/org.example.deep`, (t) => t],
      ["tags", "PUT", () => `${V3}/user/${enc(alice.userId)}/rooms/${enc(roomId)}/tags/u.deep`, (t) => `{"order":0.5,"x":${t}}`],
      ["filters", "POST", () => `${V3}/user/${enc(alice.userId)}/filter`, (t) => `{"room":{"timeline":{"limit":5,"org.example.extra":${t}}}}`],
      ["sends", "PUT", () => `${V3}/rooms/${enc(roomId)}/send/m.room.message/deep-${Math.random()}`, (t) => `{"msgtype":"m.text","body":"x","x":${t}}`],
    ];
    for (const [name, method, url, wrap] of targets) {
      it.each(bodies)(`${name}: %i levels`, async (_levels, text) => {
        const before = await messageCount();
        const response = await raw(method, url(), wrap(text));
        expect(response.statusCode, response.body.slice(0, 200)).toBe(400);
        expect(response.json().errcode).toBe("M_BAD_JSON");
        expect(await messageCount()).toBe(before);
      });
    }

    it(`accepts content nested exactly ${MAX_JSON_DEPTH} levels deep, and gives it back unchanged`, async () => {
      const text = `{"msgtype":"m.text","body":"deep","x":${nestedObjectText(MAX_JSON_DEPTH - 1)}}`;
      const response = await raw("PUT", `${V3}/rooms/${enc(roomId)}/send/m.room.message/deep-ok`, text);
      expect(response.statusCode, response.body).toBe(200);
      const event = (await raw("GET", `${V3}/rooms/${enc(roomId)}/event/${enc(response.json().event_id)}`)).json();
      expect(JSON.stringify(event.content)).toBe(text);
    });
  });

  it("a body that is not UTF-8 is 400 M_NOT_JSON", async () => {
    const before = await messageCount();
    const bytes = Buffer.concat([Buffer.from('{"msgtype":"m.text","body":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
    const response = await raw("PUT", `${V3}/rooms/${enc(roomId)}/send/m.room.message/utf8`, bytes);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().errcode).toBe("M_NOT_JSON");
    expect(await messageCount()).toBe(before);
  });
});
