import { isValidServerName } from "../../homeserver/server-name.js";

/** The appendix grammar for server names: a name outside it is never looked up, and never contacted. */
export const isQueryableServerName = (name: string): boolean => isValidServerName(name);

/** `algorithm:version`, with the character set the spec gives key versions ([a-zA-Z0-9_]). */
const KEY_ID = /^[A-Za-z0-9_]{1,64}:[A-Za-z0-9_]{1,255}$/;
export const isQueryableKeyId = (keyId: string): boolean => KEY_ID.test(keyId);
