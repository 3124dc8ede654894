import { describe, expect, it } from "vitest";
import nacl from "tweetnacl";
import { canonicalJson, compareByCodePoint } from "./canonical-json.js";
import { decodeBase64, encodeUnpaddedBase64 } from "./base64.js";
import { keyPairFromSeed, signBytes, verifyBytes } from "./ed25519.js";
import { signJson, verifyJsonSignature } from "./signed-json.js";
import { computeContentHash } from "./event-hashes.js";
import { formatSigningKeyFile, parseSigningKeyFile, type SigningKey } from "./signing-key.js";

// The spec appendix's fixed key, so signatures are deterministic and comparable with its examples.
const SPEC_SEED = "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1";
const specKey: SigningKey = { keyId: "ed25519:1", ...keyPairFromSeed(decodeBase64(SPEC_SEED)) };

describe("canonical JSON (spec appendix examples)", () => {
  const cases: Array<[unknown, string]> = [
    [{}, "{}"],
    [{ one: 1, two: "Two" }, '{"one":1,"two":"Two"}'],
    [{ b: "2", a: "1" }, '{"a":"1","b":"2"}'],
    [
      {
        auth: {
          success: true,
          mxid: "@john.doe:example.com",
          profile: {
            display_name: "John Doe",
            three_pids: [
              { medium: "email", address: "john.doe@example.org" },
              { medium: "msisdn", address: "123456789" },
            ],
          },
        },
      },
      '{"auth":{"mxid":"@john.doe:example.com","profile":{"display_name":"John Doe","three_pids":[{"address":"john.doe@example.org","medium":"email"},{"address":"123456789","medium":"msisdn"}]},"success":true}}',
    ],
    [{ a: "日本語" }, '{"a":"日本語"}'],
    [{ 本: 2, 日: 1 }, '{"日":1,"本":2}'],
    [{ a: "\u65E5" }, '{"a":"日"}'],
    [{ a: null }, '{"a":null}'],
    [{ a: -0, b: 1e10 }, '{"a":0,"b":10000000000}'],
  ];
  it.each(cases)("encodes %j exactly as the appendix", (input, expected) => {
    expect(canonicalJson(input)).toBe(expected);
  });

  it("sorts keys by code point, not UTF-16 unit (astral vs U+E000..U+FFFF)", () => {
    const astral = "\u{1F600}"; // encoded as surrogates D83D DE00
    const privateUse = "\uE000";
    expect(canonicalJson({ [astral]: 1, [privateUse]: 2 })).toBe(`{"${privateUse}":2,"${astral}":1}`);
    expect(compareByCodePoint(privateUse, astral)).toBeLessThan(0);
  });

  it("keeps lexicographic order for integer-like keys that JS objects reorder", () => {
    expect(canonicalJson({ "9": "a", "10": "b", x: 1 })).toBe('{"10":"b","9":"a","x":1}');
  });

  it("escapes control characters the short way and lone surrogates as \\u", () => {
    expect(canonicalJson({ a: "\n\u0001\"\\" })).toBe('{"a":"\\n\\u0001\\"\\\\"}');
    expect(canonicalJson("\ud800")).toBe('"\\ud800"');
  });
});

describe("signing JSON (spec appendix examples)", () => {
  it("signs the empty object as the appendix does", () => {
    const signed = signJson({}, "domain", specKey);
    expect(signed.signatures).toEqual({
      domain: {
        "ed25519:1": "K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ",
      },
    });
  });

  it("signs {one, two} as the appendix does and verifies it", () => {
    const signed = signJson({ one: 1, two: "Two" }, "domain", specKey);
    expect(signed.signatures?.domain["ed25519:1"]).toBe(
      "KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw",
    );
    expect(verifyJsonSignature(signed, "domain", "ed25519:1", specKey.publicKey)).toBe(true);
    expect(verifyJsonSignature({ ...signed, two: "Three" }, "domain", "ed25519:1", specKey.publicKey)).toBe(false);
  });

  it("ignores unsigned data and keeps other servers' signatures", () => {
    const signed = signJson({ a: 1, unsigned: { age: 5 }, signatures: { other: { "ed25519:x": "abc" } } }, "domain", specKey);
    expect(signed.signatures?.other).toEqual({ "ed25519:x": "abc" });
    expect(verifyJsonSignature({ ...signed, unsigned: { age: 99 } }, "domain", "ed25519:1", specKey.publicKey)).toBe(true);
  });

  it("hashes and signs the appendix's minimal event", () => {
    const event = {
      auth_events: [],
      content: {},
      depth: 3,
      origin: "domain",
      origin_server_ts: 1000000,
      prev_events: [],
      room_id: "!x:domain",
      sender: "@a:domain",
      type: "X",
      unsigned: { age_ts: 1000000 },
    };
    const hashes = { sha256: computeContentHash(event) };
    expect(hashes.sha256).toBe("5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos");
    const signed = signJson({ ...event, hashes }, "domain", specKey);
    expect(signed.signatures?.domain["ed25519:1"]).toBe(
      "KxwGjPSDEtvnFgU00fwFz+l6d2pJM6XBIaMEn81SXPTRl16AqLAYqfIReFGZlHi5KLjAWbOoMszkwsQma+lYAg",
    );
  });
});

describe("Ed25519 through node:crypto", () => {
  it("produces the same signature bytes as tweetnacl for the same key and message", () => {
    const seed = decodeBase64(SPEC_SEED);
    const oracle = nacl.sign.keyPair.fromSeed(seed);
    const ours = keyPairFromSeed(seed);
    expect(Buffer.from(ours.publicKey)).toEqual(Buffer.from(oracle.publicKey));
    for (const text of ["", "hello", "x".repeat(10_000)]) {
      const message = Buffer.from(text);
      const expected = nacl.sign.detached(message, oracle.secretKey);
      expect(encodeUnpaddedBase64(signBytes(ours, message))).toBe(encodeUnpaddedBase64(expected));
      expect(verifyBytes(ours.publicKey, message, expected)).toBe(true);
    }
  });

  it("rejects a signature of the wrong length or for other bytes", () => {
    const message = Buffer.from("m");
    const signature = signBytes(specKey, message);
    expect(verifyBytes(specKey.publicKey, Buffer.from("n"), signature)).toBe(false);
    expect(verifyBytes(specKey.publicKey, message, signature.subarray(1))).toBe(false);
  });
});

describe("signing key file", () => {
  it("round-trips the Synapse key file format", () => {
    // The appendix seed has non-zero padding bits, so compare keys, not text, for it.
    const key = parseSigningKeyFile(`ed25519 1 ${SPEC_SEED}\n`);
    expect(key.keyId).toBe("ed25519:1");
    expect(parseSigningKeyFile(formatSigningKeyFile(key)).publicKey).toEqual(specKey.publicKey);
  });
  it("refuses a malformed file", () => {
    expect(() => parseSigningKeyFile("rsa 1 abc")).toThrow();
  });
});
