import { describe, expect, it } from "vitest";
import { generateSigningKey } from "../../crypto/signing-key.js";
import { verifyJsonSignature } from "../../crypto/signed-json.js";
import type { EventReference } from "../../events/pdu.js";
import { requireRoomVersion } from "../../events/room-versions.js";
import type { ServerKeys } from "../../federation-keys/server-keys.js";
import { completeTemplate } from "./complete-template.js";
import { toWirePdu } from "./federation-reads.js";
import { checkIncomingPdu } from "./incoming-pdu.js";

const key = generateSigningKey();
const keys: ServerKeys = {
  getVerifyKey: async (server, keyId) => (server === "origin.test" && keyId === key.keyId ? key.publicKey : undefined),
  verifySignedJson: async (object, server) => server === "origin.test" && verifyJsonSignature(object, server, key.keyId, key.publicKey),
};

/** A properly hashed and signed event citing `prev` and `auth` exactly as given. */
function signedMessage(versionId: string, prev: unknown[], auth: unknown[]) {
  const version = requireRoomVersion(versionId);
  const fields = { type: "m.room.message", room_id: "!r:origin.test", sender: "@a:origin.test", depth: 3, prev_events: prev as EventReference[], auth_events: auth as EventReference[] };
  const pdu = completeTemplate(fields, version, "origin.test", key, 1_700_000_000_000, { body: "hi" });
  return { version, wire: toWirePdu(pdu, version) };
}

describe("checks on receipt of a PDU: the format of prev_events and auth_events", () => {
  it("accepts [event_id, {sha256}] pairs in room versions 1 and 2, with or without the hash", async () => {
    for (const versionId of ["1", "2"]) {
      const { version, wire } = signedMessage(versionId, [["$prev:origin.test", { sha256: "aGFzaA" }]], [["$create:origin.test", {}]]);
      expect(await checkIncomingPdu(wire, version, keys)).toMatchObject({ ok: true, pdu: { event_id: wire.event_id } });
    }
    const v3 = signedMessage("3", ["$prev"], ["$create"]);
    expect(await checkIncomingPdu(v3.wire, v3.version, keys)).toMatchObject({ ok: true });
  });

  it("refuses bare event ids in room versions 1 and 2, and pairs or non-strings from room version 3 on", async () => {
    const bare = signedMessage("1", ["$prev:origin.test"], [["$create:origin.test", {}]]);
    expect(await checkIncomingPdu(bare.wire, bare.version, keys)).toMatchObject({ ok: false, reason: expect.stringMatching(/prev_events must hold \[event_id, \{sha256\}\] pairs/) });
    const paired = signedMessage("3", ["$prev"], [["$create", { sha256: "aGFzaA" }]]);
    expect(await checkIncomingPdu(paired.wire, paired.version, keys)).toMatchObject({ ok: false, reason: expect.stringMatching(/auth_events must hold event ids/) });
    const numbers = signedMessage("10", [7], ["$create"]);
    expect(await checkIncomingPdu(numbers.wire, numbers.version, keys)).toMatchObject({ ok: false, reason: expect.stringMatching(/prev_events must hold event ids/) });
  });
});
