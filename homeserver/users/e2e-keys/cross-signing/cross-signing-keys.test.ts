import { describe, expect, it } from "vitest";
import { isSignedBy, parseCrossSigningKey, signedContent, withSignatures } from "./cross-signing-keys.js";
import { testCrossSigningIdentity, testSigningKey } from "./testing/cross-signing-identity.js";

const ALICE = "@alice:test.local";

describe("cross-signing keys", () => {
  const identity = testCrossSigningIdentity(ALICE);
  const master = identity.keyObject("master");

  it("parses a key of the user, for its usage, with exactly one ed25519 key of 32 bytes, and names it by its public key", () => {
    const parsed = parseCrossSigningKey(master, ALICE, "master");
    expect(parsed).toMatchObject({ keyId: identity.master.keyId, keyName: identity.master.publicKey });
    expect(parsed?.publicKey).toHaveLength(32);
    expect(parseCrossSigningKey({ ...master, usage: ["master", "other"] }, ALICE, "master")).toBeDefined();
  });

  it.each([
    ["another user's", { ...master, user_id: "@bob:test.local" }],
    ["another usage", { ...master, usage: ["user_signing"] }],
    ["a usage that is not a list", { ...master, usage: "master" }],
    ["no key", { ...master, keys: {} }],
    ["two keys", { ...master, keys: { ...master.keys, [testSigningKey(ALICE).keyId]: testSigningKey(ALICE).publicKey } }],
    ["a curve25519 key", { ...master, keys: { [`curve25519:${identity.master.publicKey}`]: identity.master.publicKey } }],
    ["a key that is not 32 bytes", { ...master, keys: { [identity.master.keyId]: "AAAA" } }],
    ["a key that is not base64", { ...master, keys: { [identity.master.keyId]: "!!" } }],
    ["malformed signatures", { ...master, signatures: { [ALICE]: "sig" } }],
    ["not an object", [master]],
  ])("refuses %s", (_what, value) => {
    expect(parseCrossSigningKey(value, ALICE, "master")).toBeUndefined();
  });

  it("verifies a signature made by tweetnacl over the key without signatures and unsigned", () => {
    const parsedMaster = parseCrossSigningKey(master, ALICE, "master")!;
    const signed = identity.master.sign(identity.keyObject("self_signing"));
    expect(isSignedBy(signed, ALICE, parsedMaster)).toBe(true);
    expect(isSignedBy({ ...signed, unsigned: { note: "not signed" } }, ALICE, parsedMaster)).toBe(true);
    expect(isSignedBy({ ...signed, usage: ["user_signing"] }, ALICE, parsedMaster)).toBe(false);
    expect(isSignedBy(signed, "@bob:test.local", parsedMaster)).toBe(false);
    expect(signedContent(signed)).toBe(signedContent(identity.keyObject("self_signing")));
  });

  it("merges signatures into a copy, as own properties even for a signer named __proto__", () => {
    const signed = identity.master.sign(master);
    const merged = withSignatures(signed, [
      { signerUserId: ALICE, signerKeyId: "ed25519:DEVICE", signature: "by-device" },
      { signerUserId: "__proto__", signerKeyId: "__proto__", signature: "odd" },
    ]);
    expect(merged.signatures[ALICE]).toEqual({ ...signed.signatures[ALICE], "ed25519:DEVICE": "by-device" });
    expect(Object.getOwnPropertyDescriptor(merged.signatures, "__proto__")?.value).toEqual(JSON.parse('{"__proto__":"odd"}'));
    expect(Object.getPrototypeOf(merged.signatures)).toBe(Object.prototype);
    // The original is untouched, and nothing to merge gives it back as it is.
    expect(Object.keys(signed.signatures[ALICE])).toEqual([identity.master.keyId]);
    expect(withSignatures(signed, [])).toBe(signed);
  });
});
