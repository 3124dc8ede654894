import { describe, expect, it } from "vitest";
import { decodeBase64, encodeUnpaddedBase64 } from "../crypto/base64.js";
import { verifyJsonSignature } from "../crypto/signed-json.js";
import { LocalServerKeys } from "./local-keys.js";
import { namedKey } from "./testing.js";

describe("our own server keys", () => {
  const key = namedKey("now");
  const old = namedKey("old");
  let time = 1_000_000;
  const local = new LocalServerKeys({
    serverName: "us.example",
    signingKey: key,
    oldSigningKeys: { "ed25519:old": { key: encodeUnpaddedBase64(old.publicKey), expired_ts: 500 } },
    validityPeriodMs: 86_400_000,
    clock: { now: () => time },
  });

  it("publishes the current key, the old keys with expired_ts, valid_until_ts = now + period, self-signed", () => {
    const response = local.serverKeyResponse();
    expect(response).toMatchObject({
      server_name: "us.example",
      verify_keys: { "ed25519:now": { key: encodeUnpaddedBase64(key.publicKey) } },
      old_verify_keys: { "ed25519:old": { key: encodeUnpaddedBase64(old.publicKey), expired_ts: 500 } },
      valid_until_ts: 1_000_000 + 86_400_000,
    });
    expect(verifyJsonSignature(response, "us.example", "ed25519:now", decodeBase64(response.verify_keys["ed25519:now"].key))).toBe(true);
  });

  it("re-signs only once less than half the period is left", () => {
    const first = local.serverKeyResponse();
    time += 86_400_000 / 2 - 1;
    expect(local.serverKeyResponse()).toBe(first);
    time += 2;
    expect(local.serverKeyResponse().valid_until_ts).toBe(time + 86_400_000);
  });

  it("answers for its own keys: the current one without end, old ones until expired_ts", () => {
    expect(local.verifyKey("ed25519:now")?.publicKey).toEqual(key.publicKey);
    expect(local.verifyKey("ed25519:old")).toMatchObject({ validUntilTs: 500, expiredTs: 500 });
    expect(local.verifyKey("ed25519:none")).toBeUndefined();
  });
});
