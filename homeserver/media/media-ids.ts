import { randomInt } from "node:crypto";

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** A new media id: 24 random letters, as Synapse makes them (about 137 bits). */
export function newMediaId(): string {
  let id = "";
  for (let i = 0; i < 24; i++) id += LETTERS[randomInt(LETTERS.length)];
  return id;
}

/**
 * The spec's media id grammar (mxc URIs): A-Z, a-z, 0-9, "_" and "-". No media of a conforming server can have
 * another id, so one that does not match is simply not found, and is never sent to another server.
 */
const MEDIA_ID = /^[A-Za-z0-9_-]{1,255}$/;

export const isValidMediaId = (mediaId: string): boolean => MEDIA_ID.test(mediaId);

export const mxcUri = (serverName: string, mediaId: string) => `mxc://${serverName}/${mediaId}`;
