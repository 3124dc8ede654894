import type { Db, Tx } from "../../../storage/database.js";
import type { CrossSigningKeyType, CrossSigningStore } from "../../../storage/stores/cross-signing-store.js";
import { parseCrossSigningKey, type ParsedCrossSigningKey } from "./cross-signing-keys.js";

/** A stored key: its JSON as stored (to compare an upload with) and parsed. */
export interface StoredKey {
  json: string;
  parsed: ParsedCrossSigningKey;
}

/** User id -> key type -> the stored key. Rows that do not parse (none should) are left out. */
export type StoredKeysByUser = Map<string, Map<CrossSigningKeyType, StoredKey>>;

export const KEY_TYPES: readonly CrossSigningKeyType[] = ["master", "self_signing", "user_signing"];

export async function readStoredKeys(store: Pick<CrossSigningStore, "keysOf">, executor: Db | Tx, userIds: readonly string[]): Promise<StoredKeysByUser> {
  const result: StoredKeysByUser = new Map();
  for (const row of await store.keysOf(executor, userIds)) {
    const parsed = parseCrossSigningKey(JSON.parse(row.keyJson), row.userId, row.keyType);
    if (!parsed) continue;
    let byType = result.get(row.userId);
    if (!byType) result.set(row.userId, (byType = new Map()));
    byType.set(row.keyType, { json: row.keyJson, parsed });
  }
  return result;
}
