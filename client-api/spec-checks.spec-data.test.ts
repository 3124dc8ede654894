import { describe, expect, it } from "vitest";
import { specAvailable as directorySpecAvailable, specErrors as directorySpecErrors } from "./routes/directory/directory-test-support.js";
import { specErrors as accountSpecErrors } from "../homeserver/users/testing/spec-responses.js";
import { specAvailable as syncSpecAvailable, specErrors as syncSpecErrors } from "../homeserver/sync/testing/spec-schemas.js";

// Route tests check their replies with these validators whenever the spec data is beside the repository.
// Here (npm run test:spec, spec data required) each is shown to read the spec and to report a bad reply.
const V3 = "/_matrix/client/v3";

describe("the spec-schema checks used by route tests", () => {
  it("find the spec's OpenAPI data", () => {
    expect(directorySpecAvailable()).toBe(true);
    expect(syncSpecAvailable()).toBe(true);
  });

  it("report a malformed directory reply", () => {
    expect(directorySpecErrors("GET", `${V3}/publicRooms`, 200, { chunk: [{ room_id: "!r:hs", num_joined_members: 1 }] })).toMatch(/world_readable/);
    expect(directorySpecErrors("GET", `${V3}/directory/room/{roomAlias}`, 200, { room_id: "no-sigil", servers: [] })).not.toBeNull();
    expect(directorySpecErrors("GET", `${V3}/directory/room/{roomAlias}`, 404, { error: "no errcode" })).not.toBeNull();
  });

  it("report a malformed account reply, and refuse an operation the spec does not have", () => {
    expect(accountSpecErrors("POST", `${V3}/login`, 200, { user_id: "@a:hs" })).not.toEqual([]);
    expect(accountSpecErrors("POST", `${V3}/login`, 200, { user_id: "@a:hs", access_token: "t", device_id: "D" })).toEqual([]);
    expect(() => accountSpecErrors("POST", `${V3}/no_such_endpoint`, 200, {})).toThrow(/no operation/);
  });

  it("report a malformed sync reply", () => {
    expect(syncSpecErrors(`${V3}/sync`, "GET", 200, { next_batch: 5 })).not.toEqual([]);
    expect(syncSpecErrors(`${V3}/sync`, "GET", 200, { next_batch: "s1" })).toEqual([]);
  });
});
