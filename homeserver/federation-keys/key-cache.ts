import { decodeBase64 } from "../crypto/base64.js";
import type { ServerKeysStore } from "../storage/stores/server-keys-store.js";
import type { ParsedKeyResponse } from "./key-response.js";

export interface VerifyKey {
  publicKey: Buffer;
  /** The last time the key may be used to verify (capped valid_until_ts, or expired_ts for old keys). */
  validUntilTs: number;
  expiredTs: number | null;
}

export interface StoredKeyResponse {
  /** The key ids this stored response is the latest source for. */
  keyIds: string[];
  fromServer: string;
  fetchedTs: number;
  publishedValidUntilTs: number;
  json: Record<string, unknown>;
}

const MEMORY_LIMIT = 10_000;

/**
 * Other servers' verify keys: the database keeps them across restarts, memory keeps the hot ones (a busy room
 * verifies the same few keys thousands of times a minute). Only found keys are kept in memory; misses go
 * to the database, and the keyring rate-limits what it fetches from the network.
 */
export class ServerKeyCache {
  private readonly memory = new Map<string, VerifyKey>();

  constructor(private readonly store: ServerKeysStore) {}

  async get(serverName: string, keyId: string): Promise<VerifyKey | undefined> {
    const cacheKey = `${serverName}\u0000${keyId}`;
    const hit = this.memory.get(cacheKey);
    if (hit) return hit;
    const row = await this.store.getKey(serverName, keyId);
    if (!row) return undefined;
    const key: VerifyKey = { publicKey: decodeBase64(row.publicKey), validUntilTs: row.validUntilTs, expiredTs: row.expiredTs };
    this.remember(cacheKey, key);
    return key;
  }

  /** Records the keys from a verified response, and the response as received for notary answers. */
  async storeResponse(parsed: ParsedKeyResponse, json: Record<string, unknown>, fromServer: string, fetchedTs: number): Promise<void> {
    const keyJson = JSON.stringify(json);
    await this.store.storeResponse(
      parsed.keys.map((k) => ({ serverName: parsed.serverName, keyId: k.keyId, publicKey: k.publicKeyBase64, validUntilTs: k.validUntilTs, expiredTs: k.expiredTs })),
      parsed.keys.map((k) => ({ serverName: parsed.serverName, keyId: k.keyId, fromServer, fetchedTs, validUntilTs: parsed.publishedValidUntilTs, keyJson })),
    );
    for (const k of parsed.keys) {
      this.remember(`${parsed.serverName}\u0000${k.keyId}`, { publicKey: k.publicKey, validUntilTs: k.validUntilTs, expiredTs: k.expiredTs });
    }
  }

  /** Distinct stored responses for `serverName` (those listing one of `keyIds` when given). */
  async responses(serverName: string, keyIds?: string[]): Promise<StoredKeyResponse[]> {
    const byJson = new Map<string, StoredKeyResponse>();
    for (const row of await this.store.responses(serverName, keyIds)) {
      const existing = byJson.get(row.keyJson);
      if (existing) {
        existing.keyIds.push(row.keyId);
        continue;
      }
      byJson.set(row.keyJson, {
        keyIds: [row.keyId],
        fromServer: row.fromServer,
        fetchedTs: row.fetchedTs,
        publishedValidUntilTs: row.validUntilTs,
        json: JSON.parse(row.keyJson) as Record<string, unknown>,
      });
    }
    return [...byJson.values()];
  }

  private remember(cacheKey: string, key: VerifyKey): void {
    if (this.memory.size >= MEMORY_LIMIT) this.memory.clear();
    this.memory.set(cacheKey, key);
  }
}
