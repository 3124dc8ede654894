import { LruCache } from "../../core/lru-cache.js";
import type { AccountDataStore } from "../../storage/stores/account-data-store.js";
import type { Notifier } from "../../streams/notifier.js";
import { PUSH_RULES_TYPE } from "../../users/push-rules/push-rules-service.js";
import type { Ruleset } from "../../users/push-rules/push-rule.js";
import type { RulesetSource } from "./push-evaluator.js";

const ENTRIES = 100_000;

/**
 * Members' rulesets for the push evaluator: one read for all the members of a room it has not seen, then
 * from memory. A change of a user's account data (their push rules are account data) reaches every process
 * through the notifier, which is where this forgets them; a read that overlapped such a change is used once
 * and not kept, so a stale ruleset never outlives the change that replaced it.
 */
export class RulesetCache implements RulesetSource {
  private readonly entries = new LruCache<string, Ruleset>(ENTRIES);
  private changes = 0;

  constructor(
    private readonly store: Pick<AccountDataStore, "getForUsers">,
    private readonly compose: (userId: string, stored: Record<string, unknown> | undefined) => Ruleset,
    notifier: Pick<Notifier, "subscribe">,
  ) {
    notifier.subscribe((stream, _position, audience) => {
      if (stream !== "accountData" || !audience.users) return;
      this.changes += 1;
      for (const userId of audience.users) this.entries.delete(userId);
    });
  }

  async rulesetsFor(userIds: readonly string[]): Promise<ReadonlyMap<string, Ruleset>> {
    const found = new Map<string, Ruleset>();
    const missing: string[] = [];
    for (const userId of userIds) {
      const cached = this.entries.get(userId);
      if (cached) found.set(userId, cached);
      else missing.push(userId);
    }
    if (missing.length === 0) return found;
    const changesBefore = this.changes;
    const stored = await this.store.getForUsers(missing, PUSH_RULES_TYPE);
    const keep = this.changes === changesBefore;
    for (const userId of missing) {
      const json = stored.get(userId);
      const ruleset = this.compose(userId, json === undefined ? undefined : (JSON.parse(json) as Record<string, unknown>));
      found.set(userId, ruleset);
      if (keep) this.entries.set(userId, ruleset);
    }
    return found;
  }
}
