import { describe, expect, it } from "vitest";
import { loadClientServerSpec } from "./spec-document.js";
import { knownDeviations } from "./known-deviations.js";
import { OperationMatcher } from "./operation-matcher.js";
import { ResponseValidator, type ResponseToCheck } from "./response-validator.js";

// The schema check guards every scenario; these cases show it can fail, so a green run means something.
// npm run test:spec runs this file and requires the spec data (MYELIN_TEST_REQUIRE_SPEC=1).
const spec = loadClientServerSpec();
if (spec === null) throw new Error("the spec data is missing (../shared/matrix-spec or MATRIX_SPEC_DIR)");

describe("the spec schema check used by every scenario", () => {
  const validator = ResponseValidator.fromSharedSpec()!;
  const sendPath = "/_matrix/client/v3/rooms/!room%3Ahs/send/m.room.message/txn1";
  const json = (method: string, path: string, status: number, body: unknown): ResponseToCheck => ({
    method,
    path,
    status,
    contentType: "application/json",
    bodyText: JSON.stringify(body),
  });

  it("maps concrete paths to the spec's templates, literal segments first and empty state keys allowed", () => {
    const matcher = new OperationMatcher(spec!);
    expect(matcher.match("PUT", sendPath)?.template).toBe("/_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}");
    expect(matcher.match("GET", "/_matrix/client/v3/rooms/!r%3Ahs/state/m.room.name/")?.template).toBe(
      "/_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}",
    );
    expect(matcher.match("POST", "/_matrix/client/v3/rooms/!r%3Ahs/invite")?.operations.length).toBeGreaterThan(0);
    expect(matcher.match("GET", "/_matrix/client/v3/no_such_endpoint")).toBeNull();
  });

  it("accepts a response that matches the schema", () => {
    expect(validator.check(json("PUT", sendPath, 200, { event_id: "$abc" }))).toBeNull();
  });

  it("reports a response that lacks a required field or has a malformed identifier", () => {
    expect(validator.check(json("PUT", sendPath, 200, {}))?.errors.join()).toMatch(/event_id/);
    expect(validator.check(json("PUT", sendPath, 200, { event_id: "no-sigil" }))).not.toBeNull();
  });

  it("holds error statuses the operation does not list to the standard error shape", () => {
    expect(validator.check(json("PUT", sendPath, 401, { errcode: "M_MISSING_TOKEN", error: "x" }))).toBeNull();
    expect(validator.check(json("PUT", sendPath, 401, { error: "no errcode" }))).not.toBeNull();
    expect(validator.check({ ...json("GET", "/nowhere", 404, {}), contentType: "text/html", bodyText: "<h1>404</h1>" })).not.toBeNull();
  });

  it("tolerates a known deviation only for the server it is known for", () => {
    const membersPath = "/_matrix/client/v3/rooms/!r%3Ahs/joined_members";
    const withNullAvatar = json("GET", membersPath, 200, { joined: { "@a:hs": { avatar_url: null } } });
    expect(validator.check(withNullAvatar)).not.toBeNull();
    const lenient = ResponseValidator.fromSharedSpec(knownDeviations.filter((d) => d.server === "synapse"))!;
    expect(lenient.check(withNullAvatar)).toBeNull();
  });
});
