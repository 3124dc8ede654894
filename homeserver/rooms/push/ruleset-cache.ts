import type { AccountDataStore } from "../../storage/stores/account-data-store.js";
import type { Notifier } from "../../streams/notifier.js";
import { AccountDataCache } from "../../users/account-data-cache.js";
import { PUSH_RULES_TYPE } from "../../users/push-rules/push-rules-service.js";
import type { Ruleset } from "../../users/push-rules/push-rule.js";
import type { RulesetSource } from "./push-evaluator.js";

/** Members' rulesets for the push evaluator (their push rules are account data), kept in memory until they change. */
export class RulesetCache implements RulesetSource {
  private readonly cache: AccountDataCache<Ruleset | null>;

  constructor(
    store: Pick<AccountDataStore, "getForUsers">,
    compose: (userId: string, stored: Record<string, unknown> | undefined) => Ruleset | null,
    notifier: Pick<Notifier, "subscribe">,
  ) {
    this.cache = new AccountDataCache(store, PUSH_RULES_TYPE, compose, notifier);
  }

  get generation(): number {
    return this.cache.generation;
  }

  rulesetsFor(userIds: readonly string[]): Promise<ReadonlyMap<string, Ruleset | null>> {
    return this.cache.forUsers(userIds);
  }
}
