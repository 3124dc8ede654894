import type { KeyObject } from "node:crypto";
import { signJwt } from "../jwt.js";

/**
 * APNs provider tokens (token-based authentication): an ES256 JWT naming the team and the key. Apple refuses
 * tokens older than an hour and throttles new ones made more often than every 20 minutes, so one is made and
 * reused for 50 minutes (or until APNs calls it expired).
 */
const TOKEN_REUSE_MS = 50 * 60_000;

export interface ProviderTokens {
  get(): string;
  invalidate(token: string): void;
}

export function createApnsProviderTokens(options: { teamId: string; keyId: string; key: KeyObject; now?: () => number }): ProviderTokens {
  const now = options.now ?? Date.now;
  let cached: { token: string; madeAt: number } | undefined;
  return {
    get() {
      if (cached && now() - cached.madeAt < TOKEN_REUSE_MS) return cached.token;
      const madeAt = now();
      cached = { token: signJwt("ES256", { kid: options.keyId }, { iss: options.teamId, iat: Math.floor(madeAt / 1000) }, options.key), madeAt };
      return cached.token;
    },
    invalidate(token) {
      if (cached?.token === token) cached = undefined;
    },
  };
}
