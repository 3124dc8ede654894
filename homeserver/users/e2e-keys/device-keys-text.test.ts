import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../crypto/canonical-json.js";
import type { CrossSignature } from "../../storage/stores/cross-signing-store.js";
import type { DeviceKeys } from "../../../schemas/client/e2e-keys/device-keys.js";
import { withSignatures } from "./cross-signing/cross-signing-keys.js";
import { deviceKeysText } from "./device-keys-text.js";

const owner = "@alice:test.local";
const device = (extra: Record<string, unknown> = {}, signatures: Record<string, Record<string, string>> = { [owner]: { "ed25519:PHONE": "self-signature" } }) =>
  canonicalJson({
    user_id: owner,
    device_id: "PHONE",
    algorithms: ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"],
    keys: { "curve25519:PHONE": "curve", "ed25519:PHONE": "ed" },
    signatures,
    ...extra,
  });
const bySsk = (signature: string, signerKeyId = "ed25519:ssk-public", signerUserId = owner): CrossSignature => ({ signerUserId, signerKeyId, targetUserId: owner, targetKeyId: "PHONE", signature });

/** What the object path answers (E2eKeysService.queryLocal): the reference the text must equal once parsed. */
const asObjects = (keyJson: string, signatures: CrossSignature[], unsigned: Record<string, unknown>) => ({ ...withSignatures(JSON.parse(keyJson) as DeviceKeys, signatures), unsigned });

describe("a device's keys as /keys/query text", () => {
  const cases: Array<[string, string, CrossSignature[]]> = [
    ["no cross-signing signature", device(), []],
    ["its owner's self-signing signature", device(), [bySsk("ssk-signature")]],
    ["two signatures by the owner", device(), [bySsk("one", "ed25519:aaa"), bySsk("two", "ed25519:zzz")]],
    ["an owner with no signatures of their own yet", device({}, { [owner]: {} }), [bySsk("ssk-signature")]],
    ["another signer sorted before the owner (parsed instead)", device({}, { "@aaron:test.local": { "ed25519:X": "theirs" }, [owner]: { "ed25519:PHONE": "self" } }), [bySsk("ssk-signature")]],
    ["a signature already in the upload (parsed instead)", device({}, { [owner]: { "ed25519:PHONE": "self", "ed25519:ssk-public": "old" } }), [bySsk("new")]],
    ["a signatures object nested in an extra field (parsed instead)", device({ extra: { signatures: { [owner]: { "ed25519:Y": "decoy" } } } }), [bySsk("ssk-signature")]],
    ["quotes and non-ASCII in ids", device({ note: 'say "hi" – ü' }), [bySsk('sig"with quote', 'ed25519:"odd"')]],
  ];
  it.each(cases)("equals the parsed answer with %s", (_name, keyJson, signatures) => {
    for (const unsigned of [{}, { device_display_name: 'Alice\'s "phone" ✓' }]) {
      const text = deviceKeysText({ userId: owner, deviceId: "PHONE", keyJson, displayName: null }, signatures, unsigned);
      expect(JSON.parse(text)).toEqual(asObjects(keyJson, signatures, unsigned));
    }
  });

  it("puts the owner's new signature beside the device's own, in the same signatures object", () => {
    const text = deviceKeysText({ userId: owner, deviceId: "PHONE", keyJson: device(), displayName: null }, [bySsk("ssk-signature")], {});
    expect(JSON.parse(text).signatures).toEqual({ [owner]: { "ed25519:PHONE": "self-signature", "ed25519:ssk-public": "ssk-signature" } });
  });
});
