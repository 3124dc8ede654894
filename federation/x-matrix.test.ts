import { describe, expect, it } from "vitest";
import nacl from "tweetnacl";
import { decodeBase64, encodeUnpaddedBase64 } from "../homeserver/crypto/base64.js";
import { keyPairFromSeed } from "../homeserver/crypto/ed25519.js";
import { verifyJsonSignature } from "../homeserver/crypto/signed-json.js";
import type { SigningKey } from "../homeserver/crypto/signing-key.js";
import { formatXMatrix, parseXMatrix, requestSigningJson, signRequest } from "./x-matrix.js";

// The spec appendix's key, so the expected signature can be computed by an independent implementation.
const SEED = decodeBase64("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1");
const key: SigningKey = { keyId: "ed25519:1", ...keyPairFromSeed(SEED) };

describe("X-Matrix header parsing", () => {
  it("reads the spec's example header", () => {
    expect(parseXMatrix('X-Matrix origin="origin.hs.example.com",destination="destination.hs.example.com",key="ed25519:key1",sig="ABCDEF..."')).toEqual({
      origin: "origin.hs.example.com",
      destination: "destination.hs.example.com",
      key: "ed25519:key1",
      sig: "ABCDEF...",
    });
  });

  it("accepts unquoted values, colons in them, any order, case-insensitive names and extra spaces", () => {
    expect(parseXMatrix("x-matrix   Key=ed25519:a_1 , SIG=abc+/def,origin=example.org:8448 ,  destination=\"us.example\"")).toEqual({
      origin: "example.org:8448",
      destination: "us.example",
      key: "ed25519:a_1",
      sig: "abc+/def",
    });
  });

  it("unescapes backslash pairs inside quoted values and ignores unknown parameters", () => {
    expect(parseXMatrix('X-Matrix origin="a\\"b\\\\c",key="ed25519:1",sig="s",extra="x,y"')).toEqual({ origin: 'a"b\\c', key: "ed25519:1", sig: "s" });
  });

  it("leaves destination out when an older server did not send it", () => {
    expect(parseXMatrix('X-Matrix origin="o",key="ed25519:1",sig="s"')).toEqual({ origin: "o", key: "ed25519:1", sig: "s" });
  });

  it("refuses other schemes, missing required parameters and unterminated quotes", () => {
    expect(parseXMatrix("Bearer abc")).toBeUndefined();
    expect(parseXMatrix('X-Matrix origin="o",key="ed25519:1"')).toBeUndefined();
    expect(parseXMatrix('X-Matrix origin="o",key="ed25519:1",sig="s')).toBeUndefined();
    expect(parseXMatrix("X-Matrixorigin=o,key=k,sig=s")).toBeUndefined();
  });

  it("round-trips what it formats", () => {
    const auth = { origin: "a.example:8448", destination: "[::1]:8448", key: "ed25519:x", sig: "c2ln" };
    expect(formatXMatrix(auth)).toBe('X-Matrix origin="a.example:8448",destination="[::1]:8448",key="ed25519:x",sig="c2ln"');
    expect(parseXMatrix(formatXMatrix(auth))).toEqual(auth);
  });
});

describe("X-Matrix request signing", () => {
  it("signs {method, uri, origin, destination, content} exactly as an independent implementation does", () => {
    const header = signRequest({
      method: "PUT",
      uri: "/_matrix/federation/v1/send/1?x=1",
      origin: "origin.example",
      destination: "dest.example",
      content: { b: 2, a: [1, "z"] },
      signingKey: key,
    });
    // Canonical JSON written out by hand: keys sorted, no spaces.
    const canonical = '{"content":{"a":[1,"z"],"b":2},"destination":"dest.example","method":"PUT","origin":"origin.example","uri":"/_matrix/federation/v1/send/1?x=1"}';
    const expected = encodeUnpaddedBase64(nacl.sign.detached(Buffer.from(canonical), nacl.sign.keyPair.fromSeed(SEED).secretKey));
    expect(parseXMatrix(header)).toEqual({ origin: "origin.example", destination: "dest.example", key: "ed25519:1", sig: expected });
  });

  it("leaves content out of the signed object for requests without a body", () => {
    const header = signRequest({ method: "GET", uri: "/_matrix/key/v2/server", origin: "o", destination: "d", signingKey: key });
    const canonical = '{"destination":"d","method":"GET","origin":"o","uri":"/_matrix/key/v2/server"}';
    const expected = encodeUnpaddedBase64(nacl.sign.detached(Buffer.from(canonical), nacl.sign.keyPair.fromSeed(SEED).secretKey));
    expect(parseXMatrix(header)?.sig).toBe(expected);
  });

  it("verifies only for the same method, uri, servers and content", () => {
    const header = parseXMatrix(signRequest({ method: "POST", uri: "/p", origin: "o", destination: "d", content: { n: 1 }, signingKey: key }))!;
    const check = (json: Record<string, unknown>) =>
      verifyJsonSignature({ ...json, signatures: { o: { [header.key]: header.sig } } }, "o", header.key, key.publicKey);
    expect(check(requestSigningJson("POST", "/p", "o", "d", { n: 1 }))).toBe(true);
    expect(check(requestSigningJson("PUT", "/p", "o", "d", { n: 1 }))).toBe(false);
    expect(check(requestSigningJson("POST", "/p?", "o", "d", { n: 1 }))).toBe(false);
    expect(check(requestSigningJson("POST", "/p", "o", "e", { n: 1 }))).toBe(false);
    expect(check(requestSigningJson("POST", "/p", "o", "d", { n: 2 }))).toBe(false);
  });
});
