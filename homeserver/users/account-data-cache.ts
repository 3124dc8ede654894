import { LruCache } from "../core/lru-cache.js";
import type { AccountDataStore } from "../storage/stores/account-data-store.js";
import type { Notifier } from "../streams/notifier.js";

const ENTRIES = 100_000;

/**
 * One global account data type of many users, parsed and kept in memory: one read for all the users a caller
 * has not seen, then from memory. A change of a user's account data reaches every process through the notifier,
 * which is where this forgets them; a read that overlapped such a change is used once and not kept, so a stale
 * value never outlives the change that replaced it.
 */
export class AccountDataCache<T> {
  private readonly entries: LruCache<string, T>;
  private changes = 0;

  constructor(
    private readonly store: Pick<AccountDataStore, "getForUsers">,
    private readonly type: string,
    private readonly parse: (userId: string, stored: Record<string, unknown> | undefined) => T,
    notifier: Pick<Notifier, "subscribe">,
    entries = ENTRIES,
  ) {
    this.entries = new LruCache<string, T>(entries);
    notifier.subscribe((stream, _position, audience) => {
      if (stream !== "accountData" || !audience.users) return;
      this.changes += 1;
      for (const userId of audience.users) this.entries.delete(userId);
    });
  }

  /**
   * Moves on every change of anyone's account data that this process hears of: a caller that keeps what it read
   * notes the generation before its read and may use its copy for as long as the generation stays the same.
   */
  get generation(): number {
    return this.changes;
  }

  /** The value kept for a user, without a read (undefined: not in memory). */
  cached(userId: string): T | undefined {
    return this.entries.get(userId);
  }

  async of(userId: string): Promise<T> {
    const cached = this.cached(userId);
    return cached !== undefined ? cached : (await this.forUsers([userId])).get(userId)!;
  }

  async forUsers(userIds: readonly string[]): Promise<ReadonlyMap<string, T>> {
    const found = new Map<string, T>();
    const missing: string[] = [];
    for (const userId of userIds) {
      const cached = this.entries.get(userId);
      if (cached !== undefined) found.set(userId, cached);
      else missing.push(userId);
    }
    if (missing.length === 0) return found;
    const changesBefore = this.changes;
    const stored = await this.store.getForUsers(missing, this.type);
    const keep = this.changes === changesBefore;
    for (const userId of missing) {
      const value = this.parse(userId, parseStored(stored.get(userId)));
      found.set(userId, value);
      if (keep) this.entries.set(userId, value);
    }
    return found;
  }
}

function parseStored(json: string | undefined): Record<string, unknown> | undefined {
  if (json === undefined) return undefined;
  const value = JSON.parse(json) as unknown;
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
