import { sign, type KeyObject } from "node:crypto";

/**
 * A compact JWS (RFC 7515) for the two tokens the gateway makes: RS256 for Google's OAuth service-account
 * assertion, ES256 for APNs provider tokens. ES256 signatures are r||s (ieee-p1363), not DER, as JWA requires.
 */
export function signJwt(alg: "RS256" | "ES256", header: Record<string, unknown>, claims: Record<string, unknown>, key: KeyObject): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const signingInput = `${encode({ ...header, alg })}.${encode(claims)}`;
  const signature = sign("sha256", Buffer.from(signingInput), alg === "ES256" ? { key, dsaEncoding: "ieee-p1363" } : key);
  return `${signingInput}.${signature.toString("base64url")}`;
}
