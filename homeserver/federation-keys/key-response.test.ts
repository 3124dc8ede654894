import { describe, expect, it } from "vitest";
import { signJson } from "../crypto/signed-json.js";
import { KeyResponseError, MAX_KEY_VALIDITY_MS, parseServerKeyResponse } from "./key-response.js";
import { makeKeyResponse, namedKey } from "./testing.js";

const NOW = 1_700_000_000_000;
const key = namedKey("a");

describe("parsing a server keys response", () => {
  it("accepts a response self-signed with one of its verify_keys and returns the keys", () => {
    const parsed = parseServerKeyResponse(makeKeyResponse("remote.example", key, NOW + 3_600_000), "remote.example", NOW);
    expect(parsed.keys).toEqual([
      { keyId: "ed25519:a", publicKey: key.publicKey, publicKeyBase64: expect.any(String), validUntilTs: NOW + 3_600_000, expiredTs: null },
    ]);
  });

  it("uses the lesser of valid_until_ts and 7 days from fetching", () => {
    const parsed = parseServerKeyResponse(makeKeyResponse("remote.example", key, NOW + 365 * 86_400_000), "remote.example", NOW);
    expect(parsed.keys[0].validUntilTs).toBe(NOW + MAX_KEY_VALIDITY_MS);
    expect(parsed.publishedValidUntilTs).toBe(NOW + 365 * 86_400_000);
  });

  it("makes old keys usable only up to their expired_ts", () => {
    const old = namedKey("old");
    const parsed = parseServerKeyResponse(makeKeyResponse("remote.example", key, NOW + 1000, { "ed25519:old": { key: old, expiredTs: NOW - 5000 } }), "remote.example", NOW);
    expect(parsed.keys.find((k) => k.keyId === "ed25519:old")).toMatchObject({ validUntilTs: NOW - 5000, expiredTs: NOW - 5000 });
  });

  it("refuses a response for another server name", () => {
    expect(() => parseServerKeyResponse(makeKeyResponse("evil.example", key, NOW), "remote.example", NOW)).toThrow(KeyResponseError);
  });

  it("refuses a response not signed by one of its own verify_keys", () => {
    const other = namedKey("b");
    const response = makeKeyResponse("remote.example", key, NOW);
    const resignedByStranger = signJson({ ...response, signatures: {} }, "remote.example", other);
    expect(() => parseServerKeyResponse(resignedByStranger, "remote.example", NOW)).toThrow(/not signed with any/);
    expect(() => parseServerKeyResponse({ ...response, signatures: {} }, "remote.example", NOW)).toThrow(/not signed/);
  });

  it("refuses a response altered after signing", () => {
    const response = makeKeyResponse("remote.example", key, NOW);
    expect(() => parseServerKeyResponse({ ...response, valid_until_ts: NOW + 1 }, "remote.example", NOW)).toThrow(/bad signature/);
  });

  it("skips keys of unknown algorithms and malformed keys", () => {
    const response = signJson(
      {
        server_name: "remote.example",
        verify_keys: { [key.keyId]: { key: makeKeyResponse("x", key, 0).verify_keys[key.keyId].key }, "curve:x": { key: "abc" }, "ed25519:bad": { key: "short" } },
        valid_until_ts: NOW,
      },
      "remote.example",
      key,
    );
    expect(parseServerKeyResponse(response, "remote.example", NOW).keys.map((k) => k.keyId)).toEqual(["ed25519:a"]);
  });
});
