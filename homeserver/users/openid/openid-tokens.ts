import { randomBytes } from "node:crypto";
import type { Clock } from "../../core/clock.js";
import { errors } from "../../errors.js";
import type { OpenIdTokenStore } from "../../storage/stores/openid-token-store.js";
import type { Requester } from "../requester.js";
import { hashToken } from "../secrets.js";

/** One hour, as Synapse's default openid_token_lifetime. */
export const OPENID_TOKEN_LIFETIME_MS = 3_600_000;

export interface OpenIdToken {
  access_token: string;
  token_type: "Bearer";
  matrix_server_name: string;
  /** Seconds. */
  expires_in: number;
}

const newOpenIdToken = (): string => `moi_${randomBytes(32).toString("base64url")}`;

/**
 * OpenID tokens: a user asks for one and hands it to a third party (an integration manager, a widget), which
 * asks us over federation whose it is. The token proves identity only; it grants no access to the account.
 */
export class OpenIdTokens {
  constructor(
    private readonly serverName: string,
    private readonly clock: Clock,
    private readonly store: OpenIdTokenStore,
  ) {}

  async issue(requester: Requester, userId: string): Promise<OpenIdToken> {
    if (requester.userId !== userId) throw errors.forbidden("Cannot request tokens for other users.");
    const now = this.clock.now();
    const token = newOpenIdToken();
    await this.store.deleteExpired(now);
    await this.store.insert(hashToken(token), userId, now + OPENID_TOKEN_LIFETIME_MS);
    return { access_token: token, token_type: "Bearer", matrix_server_name: this.serverName, expires_in: OPENID_TOKEN_LIFETIME_MS / 1000 };
  }

  /** The user the token was issued to, while it has not expired. */
  async userOf(token: string): Promise<string | undefined> {
    return this.store.userOf(hashToken(token), this.clock.now());
  }
}
