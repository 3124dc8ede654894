import { createHmac } from "node:crypto";
import type { TurnConfig } from "../../../homeserver/core/config.js";
import type { TurnServerResponse } from "../../../schemas/client/voip/get-turn-server.js";

/**
 * The TURN REST API credentials (what coturn's use-auth-secret checks): the username is "<expiry in
 * seconds>:<user id>" and the password base64(HMAC-SHA1(secret, username)), so the TURN server can check
 * them without asking us. Without a secret, the configured fixed credentials; with neither, or no uris, {}.
 */
export function turnCredentials(turn: TurnConfig, userId: string, now: number): TurnServerResponse {
  if (turn.uris.length === 0) return {};
  const ttl = Math.floor(turn.user_lifetime_ms / 1000);
  if (turn.shared_secret) {
    const username = `${Math.floor((now + turn.user_lifetime_ms) / 1000)}:${userId}`;
    const password = createHmac("sha1", turn.shared_secret).update(username).digest("base64");
    return { username, password, uris: [...turn.uris], ttl };
  }
  if (turn.username !== null && turn.password !== null) return { username: turn.username, password: turn.password, uris: [...turn.uris], ttl };
  return {};
}
