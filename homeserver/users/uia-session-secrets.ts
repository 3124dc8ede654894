import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/*
 * A UIA session id is a secret between the server and one client. The database keys a session by a digest of
 * the id and keeps the session's outcome (a registration's access token) sealed with a key derived from the id,
 * so that a copy of the database neither names a live session nor hands out the token, as for access tokens
 * themselves (secrets.ts). The two derivations are domain-separated: the stored digest says nothing of the key.
 */

const digest = (purpose: string, sessionId: string): Buffer => createHash("sha256").update(`myelin-uia-${purpose}\u0000${sessionId}`, "utf8").digest();

/** What the database keys the session by. */
export const sessionHashOf = (sessionId: string): string => digest("session", sessionId).toString("base64url");

/** Seals a JSON value with AES-256-GCM under the session's key; bound to the session's digest. */
export function sealOutcome(sessionId: string, value: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", digest("outcome", sessionId), iv);
  cipher.setAAD(Buffer.from(sessionHashOf(sessionId)));
  const sealed = Buffer.concat([cipher.update(JSON.stringify(value ?? null), "utf8"), cipher.final()]);
  return [iv, cipher.getAuthTag(), sealed].map((part) => part.toString("base64url")).join(".");
}

/** Opens what sealOutcome made for the same session id; throws if it was made for another or altered. */
export function openOutcome(sessionId: string, sealed: string): unknown {
  const [iv, tag, data] = sealed.split(".").map((part) => Buffer.from(part, "base64url"));
  const decipher = createDecipheriv("aes-256-gcm", digest("outcome", sessionId), iv);
  decipher.setAAD(Buffer.from(sessionHashOf(sessionId)));
  decipher.setAuthTag(tag);
  return JSON.parse(Buffer.concat([decipher.update(data), decipher.final()]).toString("utf8"));
}
