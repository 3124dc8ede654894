import type { Clock } from "../core/clock.js";
import { errors } from "../errors.js";
import type { Requester, TokenAuthenticator, TokenRechecker } from "./requester.js";
import { hashToken } from "./secrets.js";
import type { AccessTokenOwner, TokenStore } from "../storage/stores/token-store.js";

/**
 * How long a looked-up token may be answered from memory. Revocation in this process clears it at once; the
 * lifetime only bounds how long a row deleted behind the server's back (by hand, or another process) still works.
 */
export const CACHE_TTL_MS = 120_000;
/**
 * Past this age a lookup is still answered from memory but re-read in the background, so a client that
 * keeps authenticating (a sync socket checks before every push) never waits for the database.
 */
export const REFRESH_AFTER_MS = CACHE_TTL_MS / 2;
const CACHE_MAX_ENTRIES = 50_000;

interface CacheEntry {
  owner: AccessTokenOwner;
  cachedAt: number;
}

/**
 * Resolves access tokens for every authenticated request, with a small cache because sync long-polls
 * authenticate constantly. Correctness under revocation: every revoking transaction calls `forgetUser`
 * after it commits, and a lookup only fills the cache if no revocation happened while it read the
 * database (the generation check), so a token revoked here is refused from the moment the revoke commits.
 * The cache is per process: it assumes, as the stream publishers do, one process serving the clients.
 */
export class AccessTokenAuth implements TokenAuthenticator, TokenRechecker {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly byUser = new Map<string, Set<string>>();
  private generation = 0;
  private readonly refreshing = new Set<string>();

  constructor(
    private readonly tokens: TokenStore,
    private readonly clock: Clock,
  ) {}

  /**
   * Throws M_UNKNOWN_TOKEN for unknown tokens, and with `soft_logout: true` for expired ones (the client may
   * refresh). `allowExpired` is for logout, which the spec allows with a token that has merely expired.
   */
  authenticate(accessToken: string, options: { allowExpired?: boolean } = {}): Promise<Requester> {
    return this.authenticateHash(hashToken(accessToken), options);
  }

  /** authenticate() for a caller that already holds the token's hash and checks it again and again. */
  async authenticateHash(tokenHash: string, options: { allowExpired?: boolean } = {}): Promise<Requester> {
    const owner = await this.lookup(tokenHash);
    if (!owner || owner.deactivated) throw errors.unknownToken();
    if (!options.allowExpired && owner.expiresTs !== null && owner.expiresTs <= this.clock.now()) {
      throw errors.unknownToken("Access token has expired", true);
    }
    const requester: Requester = { userId: owner.userId, deviceId: owner.deviceId, isAdmin: owner.isAdmin, tokenHash };
    if (owner.isGuest) requester.isGuest = true;
    return requester;
  }

  /** Call after a transaction that revoked any of the user's tokens (or deactivated them) commits. */
  forgetUser(userId: string): void {
    this.generation++;
    for (const tokenHash of this.byUser.get(userId) ?? []) this.cache.delete(tokenHash);
    this.byUser.delete(userId);
  }

  private async lookup(tokenHash: string): Promise<AccessTokenOwner | undefined> {
    const now = this.clock.now();
    const cached = this.cache.get(tokenHash);
    if (cached && now - cached.cachedAt < CACHE_TTL_MS) {
      if (now - cached.cachedAt >= REFRESH_AFTER_MS) this.refresh(tokenHash);
      return cached.owner;
    }
    if (cached) this.drop(tokenHash, cached.owner.userId);
    return this.read(tokenHash, now);
  }

  private async read(tokenHash: string, now: number): Promise<AccessTokenOwner | undefined> {
    const generation = this.generation;
    const owner = await this.tokens.findAccessToken(tokenHash);
    if (generation !== this.generation) return owner;
    if (owner) this.remember(tokenHash, owner, now);
    else {
      // Gone from the database (revoked by another process): a cached copy must not outlive that.
      const stale = this.cache.get(tokenHash);
      if (stale) this.drop(tokenHash, stale.owner.userId);
    }
    return owner;
  }

  private refresh(tokenHash: string): void {
    if (this.refreshing.has(tokenHash)) return;
    this.refreshing.add(tokenHash);
    this.read(tokenHash, this.clock.now())
      .catch(() => undefined) // the entry stays until its TTL; the next lookup after that reads it in the open
      .finally(() => this.refreshing.delete(tokenHash));
  }

  private remember(tokenHash: string, owner: AccessTokenOwner, now: number): void {
    if (this.cache.size >= CACHE_MAX_ENTRIES && !this.cache.has(tokenHash)) {
      // Cheap bound: evict the oldest insertion (Map iterates in insertion order).
      const oldest = this.cache.entries().next().value;
      if (oldest) this.drop(oldest[0], oldest[1].owner.userId);
    }
    this.cache.set(tokenHash, { owner, cachedAt: now });
    let hashes = this.byUser.get(owner.userId);
    if (!hashes) this.byUser.set(owner.userId, (hashes = new Set()));
    hashes.add(tokenHash);
  }

  private drop(tokenHash: string, userId: string): void {
    this.cache.delete(tokenHash);
    const hashes = this.byUser.get(userId);
    hashes?.delete(tokenHash);
    if (hashes?.size === 0) this.byUser.delete(userId);
  }
}
