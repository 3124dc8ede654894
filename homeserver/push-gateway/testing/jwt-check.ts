import { createPublicKey, verify, type KeyObject } from "node:crypto";

export interface CheckedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

/** Verifies a compact JWS as the real services do (RS256 for Google, ES256 for APNs and VAPID); throws if bad. */
export function verifyJwt(token: string, alg: "RS256" | "ES256", key: KeyObject): CheckedJwt {
  const parts = token.split(".");
  if (parts.length !== 3) throw new Error("not a compact JWS");
  const [headerPart, claimsPart, signaturePart] = parts;
  const header = JSON.parse(Buffer.from(headerPart, "base64url").toString("utf8")) as Record<string, unknown>;
  if (header.alg !== alg) throw new Error(`alg is ${String(header.alg)}, not ${alg}`);
  const signature = Buffer.from(signaturePart, "base64url");
  if (alg === "ES256" && signature.length !== 64) throw new Error("an ES256 signature is 64 bytes (r||s)");
  const ok = verify("sha256", Buffer.from(`${headerPart}.${claimsPart}`), alg === "ES256" ? { key, dsaEncoding: "ieee-p1363" } : key, signature);
  if (!ok) throw new Error("bad signature");
  return { header, claims: JSON.parse(Buffer.from(claimsPart, "base64url").toString("utf8")) as Record<string, unknown> };
}

/** A P-256 public key from its 65-byte uncompressed point (how VAPID's `k` and WebPush's p256dh carry it). */
export function p256PublicKey(point: Buffer): KeyObject {
  if (point.length !== 65 || point[0] !== 4) throw new Error("not an uncompressed P-256 point");
  return createPublicKey({
    key: { kty: "EC", crv: "P-256", x: point.subarray(1, 33).toString("base64url"), y: point.subarray(33).toString("base64url") },
    format: "jwk",
  });
}
