import type { ServiceAccount } from "../config/app-credentials.js";
import { signJwt } from "../jwt.js";
import { TransientDeliveryError } from "../push-app.js";

const FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging";
/** Google accepts assertions of at most an hour. */
const ASSERTION_LIFETIME_S = 3600;
/** A token this close to its expiry is renewed before use, so that it cannot expire in flight. */
const RENEW_BEFORE_MS = 60_000;

export interface AccessTokenSource {
  get(): Promise<string>;
  /** The push service refused the token (401): the next get() asks for a new one. */
  invalidate(token: string): void;
}

/**
 * OAuth 2.0 for service accounts (RFC 7523 JWT bearer grant, as Google documents it): an RS256-signed assertion
 * exchanged at the token endpoint for an access token, cached until shortly before it expires. Concurrent
 * callers share one exchange.
 */
export function createGoogleAccessTokens(options: { account: ServiceAccount; tokenEndpoint: string; timeoutMs: number; now?: () => number }): AccessTokenSource {
  const now = options.now ?? Date.now;
  let cached: { token: string; renewAt: number } | undefined;
  let pending: Promise<string> | undefined;

  async function exchange(): Promise<string> {
    const issuedAt = Math.floor(now() / 1000);
    const assertion = signJwt(
      "RS256",
      { typ: "JWT", ...(options.account.privateKeyId ? { kid: options.account.privateKeyId } : {}) },
      { iss: options.account.clientEmail, scope: FCM_SCOPE, aud: options.tokenEndpoint, iat: issuedAt, exp: issuedAt + ASSERTION_LIFETIME_S },
      options.account.privateKey,
    );
    let response: Response;
    try {
      response = await fetch(options.tokenEndpoint, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion }).toString(),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch {
      throw new TransientDeliveryError("the OAuth token endpoint is unreachable");
    }
    const body = (await response.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown; error?: unknown };
    if (!response.ok || typeof body.access_token !== "string") {
      // Google's error names the problem (invalid_grant: a revoked key or a wrong clock) and holds no secret.
      throw new TransientDeliveryError(`the OAuth token endpoint answered ${response.status}${typeof body.error === "string" ? ` (${body.error})` : ""}`);
    }
    const lifetimeMs = (typeof body.expires_in === "number" ? body.expires_in : ASSERTION_LIFETIME_S) * 1000;
    cached = { token: body.access_token, renewAt: now() + Math.max(0, lifetimeMs - RENEW_BEFORE_MS) };
    return body.access_token;
  }

  return {
    async get() {
      if (cached && now() < cached.renewAt) return cached.token;
      pending ??= exchange().finally(() => (pending = undefined));
      return pending;
    },
    invalidate(token) {
      if (cached?.token === token) cached = undefined;
    },
  };
}
