import { Preset } from "matrix-js-sdk";
import { beforeAll, describe, expect, it } from "vitest";
import { rawRequest, type RawRequest } from "../support/raw-request.js";
import { registerUser, type TestUser } from "../support/register-user.js";

/** Status and errcode of the answer, compared as one value so a failure shows both. */
async function answer(request: RawRequest): Promise<{ status: number; errcode: unknown }> {
  const response = await rawRequest(request);
  return { status: response.status, errcode: response.json?.errcode };
}

describe("requests the server must refuse with a standard error", () => {
  let user: TestUser;
  let sendPath: (txnId: string) => string;

  beforeAll(async () => {
    user = await registerUser("badinput");
    const { room_id: roomId } = await user.client.createRoom({ preset: Preset.PrivateChat });
    sendPath = (txnId) => `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${txnId}`;
  });

  describe("a body that is not JSON is 400 M_NOT_JSON", () => {
    it("POST /createRoom with a truncated JSON body", async () => {
      const request = { method: "POST", path: "/_matrix/client/v3/createRoom", accessToken: user.accessToken, body: '{"name": ' };
      expect(await answer(request)).toEqual({ status: 400, errcode: "M_NOT_JSON" });
    });

    it("PUT /send with a body that is not JSON", async () => {
      const request = { method: "PUT", path: sendPath("not-json"), accessToken: user.accessToken, body: "{hello" };
      expect(await answer(request)).toEqual({ status: 400, errcode: "M_NOT_JSON" });
    });
  });

  // Chosen where Synapse answers as the spec says: createRoom documents M_BAD_JSON for a malformed body, and
  // event content must be a JSON object. (Synapse answers M_UNKNOWN for `name: 5`, so that case is not used.)
  describe("JSON of the wrong shape is 400 M_BAD_JSON", () => {
    it.each([
      ["an array instead of an object", "[1, 2, 3]"],
      ["a string instead of an object", '"hello"'],
    ])("PUT /send with %s as event content", async (_what, body) => {
      const request = { method: "PUT", path: sendPath(`bad-${body.length}`), accessToken: user.accessToken, body };
      expect(await answer(request)).toEqual({ status: 400, errcode: "M_BAD_JSON" });
    });

    it.each([
      ["an array body", "[]"],
      ["a number for `preset`", JSON.stringify({ preset: 5 })],
      ["a number for `room_version`", JSON.stringify({ room_version: 5 })],
    ])("POST /createRoom with %s", async (_what, body) => {
      const request = { method: "POST", path: "/_matrix/client/v3/createRoom", accessToken: user.accessToken, body };
      expect(await answer(request)).toEqual({ status: 400, errcode: "M_BAD_JSON" });
    });
  });

  describe("authentication", () => {
    it("a request without an access token is 401 M_MISSING_TOKEN", async () => {
      expect(await answer({ method: "GET", path: "/_matrix/client/v3/account/whoami" })).toEqual({
        status: 401,
        errcode: "M_MISSING_TOKEN",
      });
    });

    it("a request with an access token the server never issued is 401 M_UNKNOWN_TOKEN", async () => {
      const request = { method: "GET", path: "/_matrix/client/v3/account/whoami", accessToken: "not_a_token_we_issued" };
      expect(await answer(request)).toEqual({ status: 401, errcode: "M_UNKNOWN_TOKEN" });
    });
  });

  describe("endpoints", () => {
    it("an unknown endpoint is 404 M_UNRECOGNIZED", async () => {
      const request = { method: "GET", path: "/_matrix/client/v3/no_such_endpoint", accessToken: user.accessToken };
      expect(await answer(request)).toEqual({ status: 404, errcode: "M_UNRECOGNIZED" });
    });

    it("a known endpoint called with the wrong method is 405 M_UNRECOGNIZED", async () => {
      const request = { method: "GET", path: "/_matrix/client/v3/createRoom", accessToken: user.accessToken };
      expect(await answer(request)).toEqual({ status: 405, errcode: "M_UNRECOGNIZED" });
    });
  });
});
