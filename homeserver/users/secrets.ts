import { createHash, randomBytes, randomInt } from "node:crypto";

// Tokens carry a readable prefix so a leaked one is recognisable (secret scanners, logs) and the kinds
// cannot be confused; the 256 random bits after it are what make them unguessable.
export const newAccessToken = (): string => `mat_${randomBytes(32).toString("base64url")}`;
export const newRefreshToken = (): string => `mar_${randomBytes(32).toString("base64url")}`;

/** Only this digest is stored, so a copy of the database does not hand out working tokens. */
export const hashToken = (token: string): string => createHash("sha256").update(token, "utf8").digest("base64url");

export const newSessionId = (): string => randomBytes(18).toString("base64url");

const DEVICE_ID_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** Ten capital letters, like Synapse's, which some clients display to users. */
export function newDeviceId(): string {
  let id = "";
  for (let i = 0; i < 10; i++) id += DEVICE_ID_LETTERS[randomInt(DEVICE_ID_LETTERS.length)];
  return id;
}

const LOCALPART_LETTERS = "abcdefghijklmnopqrstuvwxyz0234567";

/** For registrations without a username; starts with a letter so it never looks like a guest's number. */
export function newLocalpart(): string {
  let id = "u";
  for (let i = 0; i < 11; i++) id += LOCALPART_LETTERS[randomInt(LOCALPART_LETTERS.length)];
  return id;
}
