import type { CoreContext } from "../core/core-context.js";
import type { ServerKeysStore } from "../storage/stores/server-keys-store.js";
import { ServerKeyCache } from "./key-cache.js";
import { LocalServerKeys } from "./local-keys.js";

export type { ServerKeys } from "./server-keys.js";
export { keyValidityTimeFor } from "./server-keys.js";

export interface FederationKeyServices {
  localKeys: LocalServerKeys;
  keyCache: ServerKeyCache;
}

/** The core's half of key handling (our own keys, the cache over storage); federation/ adds the network. */
export function createFederationKeyServices(core: CoreContext, store: ServerKeysStore): FederationKeyServices {
  return {
    localKeys: new LocalServerKeys({
      serverName: core.serverName,
      signingKey: core.signingKey,
      oldSigningKeys: core.config.old_signing_keys,
      validityPeriodMs: core.config.federation.key_validity_period_ms,
      clock: core.clock,
    }),
    keyCache: new ServerKeyCache(store),
  };
}
