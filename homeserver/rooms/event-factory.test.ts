import { describe, expect, it } from "vitest";
import { buildLocalEvent, computeEventId } from "./event-factory.js";
import { generateSigningKey } from "../crypto/signing-key.js";
import { verifyJsonSignature, signJson } from "../crypto/signed-json.js";
import { computeContentHash } from "../crypto/event-hashes.js";
import { redactEvent } from "../events/redaction.js";
import { KNOWN_ROOM_VERSIONS, requireRoomVersion } from "../events/room-versions.js";
import type { Pdu } from "../events/pdu.js";

const key = generateSigningKey();
const draft = { type: "m.room.message", sender: "@a:origin.test", content: { body: "hello", msgtype: "m.text" } };
const placement = { roomId: "!r:origin.test", prevEvents: ["$prev"], authEvents: ["$auth"], depth: 5, originServerTs: 1_700_000_000_000 };

describe("local event ids per room version", () => {
  it.each([
    ["1", /^\$[A-Za-z0-9_-]+:origin\.test$/],
    ["2", /^\$[A-Za-z0-9_-]+:origin\.test$/],
    ["3", /^\$[A-Za-z0-9+/]{43}$/],
    ["4", /^\$[A-Za-z0-9_-]{43}$/],
    ["11", /^\$[A-Za-z0-9_-]{43}$/],
    ["12", /^\$[A-Za-z0-9_-]{43}$/],
  ])("room version %s uses its event id format", (versionId, pattern) => {
    const event = buildLocalEvent(draft, placement, requireRoomVersion(versionId), "origin.test", key);
    expect(event.event_id).toMatch(pattern);
  });

  it.each(KNOWN_ROOM_VERSIONS.map((v) => [v]))("version %s: hash matches content and the signature covers the redacted event", (versionId) => {
    const version = requireRoomVersion(versionId);
    const event = buildLocalEvent(draft, placement, version, "origin.test", key);
    const { event_id: _id, ...wire } = event;
    const onTheWire = (version.eventIdFormat === "server-generated" ? event : wire) as Pdu;
    expect(onTheWire.hashes?.sha256).toBe(computeContentHash(onTheWire as Record<string, unknown>));
    const redacted = redactEvent(onTheWire, version);
    expect(verifyJsonSignature(redacted as Record<string, unknown>, "origin.test", key.keyId, key.publicKey)).toBe(true);
    // The reference hash id is stable under redaction: a redacted copy names the same event.
    if (version.eventIdFormat !== "server-generated") expect(computeEventId(redacted, version)).toBe(event.event_id);
  });

  it("room version 11 drops `origin`; 10 keeps it", () => {
    expect(buildLocalEvent(draft, placement, requireRoomVersion("11"), "origin.test", key).origin).toBeUndefined();
    expect(buildLocalEvent(draft, placement, requireRoomVersion("10"), "origin.test", key).origin).toBe("origin.test");
  });

  it("a changed field changes a reference-hash event id", () => {
    const version = requireRoomVersion("10");
    const a = buildLocalEvent(draft, placement, version, "origin.test", key);
    const b = buildLocalEvent(draft, { ...placement, depth: 6 }, version, "origin.test", key);
    expect(a.event_id).not.toBe(b.event_id);
  });
});

describe("several signatures on one object", () => {
  it("verifies each server's signature independently", () => {
    const other = generateSigningKey();
    const signed = signJson(signJson({ a: 1 }, "one.test", key), "two.test", other);
    expect(Object.keys(signed.signatures)).toEqual(["one.test", "two.test"]);
    expect(verifyJsonSignature(signed, "one.test", key.keyId, key.publicKey)).toBe(true);
    expect(verifyJsonSignature(signed, "two.test", other.keyId, other.publicKey)).toBe(true);
    expect(verifyJsonSignature(signed, "two.test", other.keyId, key.publicKey)).toBe(false);
    expect(key.keyId).toMatch(/^ed25519:[A-Za-z0-9_]+$/);
  });
});
