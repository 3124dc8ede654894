import { signJson } from "../../homeserver/crypto/signed-json.js";
import type { SigningKey } from "../../homeserver/crypto/signing-key.js";
import type { Clock } from "../clock.js";
import type { ServerKeyCache, StoredKeyResponse } from "../../homeserver/federation-keys/key-cache.js";
import type { LocalServerKeys } from "../../homeserver/federation-keys/local-keys.js";
import type { ServerKeyResponse } from "../../schemas/federation/keys/get-server-key.js";
import type { KeyQueryCriteria } from "../../schemas/federation/keys/query-keys.js";
import { isQueryableKeyId, isQueryableServerName } from "./key-names.js";
import type { ServerKeyring } from "./keyring.js";

export interface NotaryOptions {
  local: LocalServerKeys;
  cache: ServerKeyCache;
  keyring: ServerKeyring;
  signingKey: SigningKey;
  clock: Clock;
}

// One query could otherwise make us contact thousands of servers while the caller waits.
export const MAX_SERVERS_PER_QUERY = 100;

/**
 * Answers /_matrix/key/v2/query: other servers' own signed key responses from our cache, fetched again from
 * the server when the cache cannot satisfy the query, each additionally signed by us. A server we cannot
 * reach still gets its last known response served (the spec asks notaries to do so, so old events can be
 * checked while it is down).
 */
export class KeyNotary {
  constructor(private readonly options: NotaryOptions) {}

  /**
   * `request`: server name -> key id -> criteria (no key ids: all keys). `minimumValidUntilTs` applies to
   * servers queried without key ids (the GET form's query parameter).
   */
  async query(request: Record<string, Record<string, KeyQueryCriteria>>, minimumValidUntilTs?: number): Promise<ServerKeyResponse[]> {
    const servers: Array<[string, Record<string, KeyQueryCriteria>]> = [];
    for (const [serverName, criteria] of Object.entries(request)) {
      if (servers.length >= MAX_SERVERS_PER_QUERY) break;
      if (!isQueryableServerName(serverName)) continue;
      const keyIds = Object.keys(criteria);
      const valid = keyIds.filter(isQueryableKeyId);
      // Asked only for key ids no server can have: nothing to answer (an empty set would mean "all keys").
      if (keyIds.length > 0 && valid.length === 0) continue;
      servers.push([serverName, Object.fromEntries(valid.map((keyId) => [keyId, criteria[keyId]]))]);
    }
    const answers = await Promise.all(servers.map(([serverName, criteria]) => this.queryServer(serverName, criteria, minimumValidUntilTs)));
    const signed: ServerKeyResponse[] = [];
    for (const response of answers.flat()) {
      signed.push(signJson(response, this.options.local.serverName, this.options.signingKey) as ServerKeyResponse);
    }
    return signed;
  }

  private async queryServer(serverName: string, criteria: Record<string, KeyQueryCriteria>, minimumForAll: number | undefined): Promise<ServerKeyResponse[]> {
    if (serverName === this.options.local.serverName) return [this.options.local.serverKeyResponse()];
    const keyIds = Object.keys(criteria);
    let stored = await this.options.cache.responses(serverName, keyIds.length > 0 ? keyIds : undefined);
    if (this.needsFetch(stored, criteria, minimumForAll)) {
      await this.options.keyring.refreshDirect(serverName);
      stored = await this.options.cache.responses(serverName, keyIds.length > 0 ? keyIds : undefined);
    }
    return stored.map((s) => s.json as ServerKeyResponse);
  }

  /**
   * A cached response will do when it is valid until the requested time, or (no time given) until now and
   * not past half its lifetime, as the spec recommends so we never serve one about to expire.
   */
  private needsFetch(stored: StoredKeyResponse[], criteria: Record<string, KeyQueryCriteria>, minimumForAll: number | undefined): boolean {
    const now = this.options.clock.now();
    const fresh = (response: StoredKeyResponse, minimum: number | undefined): boolean =>
      minimum !== undefined
        ? response.publishedValidUntilTs >= minimum
        : (response.fetchedTs + response.publishedValidUntilTs) / 2 >= now;
    const keyIds = Object.keys(criteria);
    if (keyIds.length === 0) return !stored.some((s) => fresh(s, minimumForAll));
    return keyIds.some((keyId) => {
      const response = stored.find((s) => s.keyIds.includes(keyId));
      return !response || !fresh(response, criteria[keyId]?.minimum_valid_until_ts);
    });
  }
}
