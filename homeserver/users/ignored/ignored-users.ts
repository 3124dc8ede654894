import type { AccountDataStore } from "../../storage/stores/account-data-store.js";
import type { Notifier } from "../../streams/notifier.js";
import { AccountDataCache } from "../account-data-cache.js";

export const IGNORED_USER_LIST = "m.ignored_user_list";

const NONE: ReadonlySet<string> = new Set();

/** The users `content.ignored_users` names (the spec: a map of user id to an empty object); anything else names none. */
export function ignoredUsersIn(content: Record<string, unknown> | undefined): ReadonlySet<string> {
  const ignored = content?.ignored_users;
  if (typeof ignored !== "object" || ignored === null || Array.isArray(ignored)) return NONE;
  const users = Object.keys(ignored).filter((userId) => userId.startsWith("@"));
  return users.length === 0 ? NONE : new Set(users);
}

/**
 * Whom each user ignores (the spec's "Ignoring users": their non-state events are not sent to the user, nor
 * their invites, and they do not notify the user). Read on every read path and for every pushed event, so it
 * is kept in memory and forgotten on each change of the user's account data, in every process.
 */
export class IgnoredUsers {
  private readonly cache: AccountDataCache<ReadonlySet<string>>;

  constructor(store: Pick<AccountDataStore, "getForUsers">, notifier: Pick<Notifier, "subscribe">) {
    this.cache = new AccountDataCache(store, IGNORED_USER_LIST, (_userId, stored) => ignoredUsersIn(stored), notifier);
  }

  /** Whom `userId` ignores; without a read when it is in memory (sync's hot path asks for every room). */
  ignoredBy(userId: string): ReadonlySet<string> | Promise<ReadonlySet<string>> {
    return this.cache.cached(userId) ?? this.cache.of(userId);
  }

  /** See AccountDataCache.generation. */
  get generation(): number {
    return this.cache.generation;
  }

  /** Whom each of `userIds` ignores, in one read for those not in memory. */
  ignoredByEach(userIds: readonly string[]): Promise<ReadonlyMap<string, ReadonlySet<string>>> {
    return this.cache.forUsers(userIds);
  }
}

/** What the read paths need: whom the reader ignores. */
export type IgnoredUsersSource = Pick<IgnoredUsers, "ignoredBy">;

/** Events the viewer may be sent: an ignored sender's state events stay (the room must look the same), the rest go. */
export function withoutIgnored<E extends { pdu: { sender: string; state_key?: string } }>(events: readonly E[], ignored: ReadonlySet<string>): readonly E[] {
  if (ignored.size === 0) return events;
  return events.filter((e) => e.pdu.state_key !== undefined || !ignored.has(e.pdu.sender));
}
