import { decodeBase64 } from "../../homeserver/crypto/base64.js";
import { verifyJsonSignature } from "../../homeserver/crypto/signed-json.js";
import type { Clock } from "../clock.js";
import type { Logger } from "../logger.js";
import type { ServerKeyCache } from "../../homeserver/federation-keys/key-cache.js";
import { parseServerKeyResponse, type ParsedKeyResponse } from "../../homeserver/federation-keys/key-response.js";
import type { LocalServerKeys } from "../../homeserver/federation-keys/local-keys.js";
import type { ServerKeys } from "../../homeserver/federation-keys/server-keys.js";
import { verifySignedJsonWith } from "../../homeserver/federation-keys/verify-signed-json.js";
import type { FederationClient } from "../client/federation-client.js";
import { isQueryableKeyId, isQueryableServerName } from "./key-names.js";

export interface TrustedKeyServer {
  server_name: string;
  /** Key id -> base64 public key. */
  verify_keys: Record<string, string>;
}

export interface KeyringOptions {
  local: LocalServerKeys;
  cache: ServerKeyCache;
  client: FederationClient;
  trustedKeyServers: TrustedKeyServer[];
  clock: Clock;
  logger: Logger;
  /**
   * A server is asked again at most this often, however many unknown key ids its requests carry; only the
   * first fetch after a successful one is exempt, so a server that has just rotated its key is not refused.
   */
  minRefetchIntervalMs?: number;
}

interface FetchAttempt {
  at: number;
  /** The server (or a notary for it) answered with keys. */
  answered: boolean;
  /** Made within the interval of the attempt before it: the one early refetch is used up. */
  early: boolean;
}

// A key request is a small, cheap request; a peer that is this slow will not answer at all.
const KEY_FETCH_TIMEOUT_MS = 10_000;
const DEFAULT_MIN_REFETCH_INTERVAL_MS = 30_000;

/**
 * Other servers' signing keys: our own from config, then the cache (memory, database), then the network:
 * the server itself (GET /_matrix/key/v2/server) and, when that fails or lacks the key, the configured
 * notaries. Dendrite's order; Synapse asks notaries first, which costs a notary round trip on every miss.
 */
export class ServerKeyring implements ServerKeys {
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Fetches finished per server, so a request can tell that one ended while it read the cache. */
  private readonly fetchesDone = new Map<string, number>();
  private readonly lastAttempt = new Map<string, FetchAttempt>();
  private readonly notaries: Array<{ serverName: string; keys: Map<string, Buffer> }>;
  private readonly minRefetchIntervalMs: number;

  constructor(private readonly options: KeyringOptions) {
    this.minRefetchIntervalMs = options.minRefetchIntervalMs ?? DEFAULT_MIN_REFETCH_INTERVAL_MS;
    this.notaries = options.trustedKeyServers.map((notary) => ({
      serverName: notary.server_name,
      keys: new Map(Object.entries(notary.verify_keys).map(([keyId, key]) => [keyId, decodeBase64(key)])),
    }));
  }

  async getVerifyKey(serverName: string, keyId: string, minimumValidUntilTs: number): Promise<Uint8Array | undefined> {
    // A name or key id no server can have (an origin header or sender someone made up) costs no lookup.
    if (!isQueryableServerName(serverName) || !isQueryableKeyId(keyId)) return undefined;
    if (serverName === this.options.local.serverName) {
      const own = this.options.local.verifyKey(keyId);
      return own && own.validUntilTs >= minimumValidUntilTs ? own.publicKey : undefined;
    }
    const fetchesBefore = this.fetchesDone.get(serverName) ?? 0;
    const cached = await this.options.cache.get(serverName, keyId);
    if (cached && cached.validUntilTs >= minimumValidUntilTs) return cached.publicKey;
    // A fetch for this server finished while we read: our miss may predate what it stored, and asking again
    // would spend the one early attempt meant for a rotation.
    if ((this.fetchesDone.get(serverName) ?? 0) !== fetchesBefore) {
      const stored = await this.options.cache.get(serverName, keyId);
      if (stored && stored.validUntilTs >= minimumValidUntilTs) return stored.publicKey;
    }
    await this.refresh(serverName, keyId, minimumValidUntilTs);
    const fetched = await this.options.cache.get(serverName, keyId);
    return fetched && fetched.validUntilTs >= minimumValidUntilTs ? fetched.publicKey : undefined;
  }

  verifySignedJson(object: Record<string, unknown>, serverName: string, minimumValidUntilTs: number): Promise<boolean> {
    return verifySignedJsonWith((s, k, t) => this.getVerifyKey(s, k, t), object, serverName, minimumValidUntilTs);
  }

  /**
   * Asks the server itself for its keys (for the notary API): shares a fetch already running, and does nothing
   * if the server was asked within the refetch interval. Never throws; failures are logged.
   */
  async refreshDirect(serverName: string): Promise<void> {
    await this.once(serverName, async () => {
      try {
        await this.fetchDirect(serverName);
        return true;
      } catch (error) {
        this.options.logger.info({ server: serverName, err: (error as Error).message }, "could not fetch server keys");
        return false;
      }
    });
  }

  /** GET /_matrix/key/v2/server from the server itself; verified and stored. Throws on any failure. */
  async fetchDirect(serverName: string): Promise<ParsedKeyResponse> {
    const fetchedTs = this.options.clock.now();
    const json = await this.options.client.get<Record<string, unknown>>(serverName, "/_matrix/key/v2/server", undefined, { timeoutMs: KEY_FETCH_TIMEOUT_MS });
    const parsed = parseServerKeyResponse(json, serverName, fetchedTs);
    await this.options.cache.storeResponse(parsed, json, serverName, fetchedTs);
    return parsed;
  }

  private async refresh(serverName: string, keyId: string, minimumValidUntilTs: number): Promise<void> {
    await this.once(serverName, async () => {
      const satisfied = (parsed: ParsedKeyResponse) => parsed.keys.some((k) => k.keyId === keyId && k.validUntilTs >= minimumValidUntilTs);
      let answered = false;
      try {
        const direct = await this.fetchDirect(serverName);
        answered = true;
        if (satisfied(direct)) return true;
      } catch (error) {
        this.options.logger.info({ server: serverName, err: (error as Error).message }, "could not fetch server keys directly");
      }
      for (const notary of this.notaries) {
        try {
          const results = await this.fetchViaNotary(notary, serverName, keyId, minimumValidUntilTs);
          if (results.length > 0) answered = true;
          if (results.some(satisfied)) return true;
        } catch (error) {
          this.options.logger.info({ server: serverName, notary: notary.serverName, err: (error as Error).message }, "could not fetch server keys from notary");
        }
      }
      return answered;
    });
  }

  /**
   * Runs `work` (true when some answer came back) for `serverName` unless it is running (then waits for it)
   * or is rate-limited: within the refetch interval of the last attempt, only one more attempt is made, and
   * only when that last attempt was answered. A key id we have not seen is how a rotation shows, so the
   * first one after a fetch is looked up at once; a server that is down, or that keeps naming key ids it
   * never publishes, is asked once per interval (Synapse asks on every miss; Dendrite caches misses).
   */
  private async once(serverName: string, work: () => Promise<boolean>): Promise<void> {
    const running = this.inFlight.get(serverName);
    if (running) return running;
    const now = this.options.clock.now();
    const last = this.lastAttempt.get(serverName);
    const withinInterval = last !== undefined && now - last.at < this.minRefetchIntervalMs;
    if (withinInterval && (!last.answered || last.early)) return;
    if (this.lastAttempt.size > 10_000) this.lastAttempt.clear();
    const attempt: FetchAttempt = { at: now, answered: false, early: withinInterval };
    this.lastAttempt.set(serverName, attempt);
    const promise = work()
      .then((answered) => {
        attempt.answered = answered;
      })
      .finally(() => {
        this.inFlight.delete(serverName);
        if (this.fetchesDone.size > 10_000) this.fetchesDone.clear();
        this.fetchesDone.set(serverName, (this.fetchesDone.get(serverName) ?? 0) + 1);
      });
    this.inFlight.set(serverName, promise);
    return promise;
  }

  private async fetchViaNotary(
    notary: { serverName: string; keys: Map<string, Buffer> },
    serverName: string,
    keyId: string,
    minimumValidUntilTs: number,
  ): Promise<ParsedKeyResponse[]> {
    const fetchedTs = this.options.clock.now();
    const body = { server_keys: { [serverName]: { [keyId]: { minimum_valid_until_ts: minimumValidUntilTs } } } };
    const answer = await this.options.client.post<{ server_keys?: unknown }>(notary.serverName, "/_matrix/key/v2/query", body, { timeoutMs: KEY_FETCH_TIMEOUT_MS });
    if (!Array.isArray(answer.server_keys)) throw new Error("notary answer has no server_keys array");
    const results: ParsedKeyResponse[] = [];
    for (const entry of answer.server_keys as Array<Record<string, unknown>>) {
      if (typeof entry !== "object" || entry === null || entry.server_name !== serverName) continue;
      if (!this.signedByNotary(entry, notary)) {
        this.options.logger.warn({ server: serverName, notary: notary.serverName }, "notary answer not signed with its configured key");
        continue;
      }
      try {
        const parsed = parseServerKeyResponse(entry, serverName, fetchedTs);
        await this.options.cache.storeResponse(parsed, entry, notary.serverName, fetchedTs);
        results.push(parsed);
      } catch (error) {
        this.options.logger.warn({ server: serverName, notary: notary.serverName, err: (error as Error).message }, "bad key response from notary");
      }
    }
    return results;
  }

  /** At least one configured notary key signed it, and every configured key that signed it verifies. */
  private signedByNotary(entry: Record<string, unknown>, notary: { serverName: string; keys: Map<string, Buffer> }): boolean {
    const signatures = (entry.signatures as Record<string, Record<string, string>> | undefined)?.[notary.serverName];
    if (typeof signatures !== "object" || signatures === null) return false;
    let verified = false;
    for (const keyId of Object.keys(signatures)) {
      const key = notary.keys.get(keyId);
      if (!key) continue;
      if (!verifyJsonSignature(entry as Parameters<typeof verifyJsonSignature>[0], notary.serverName, keyId, key)) return false;
      verified = true;
    }
    return verified;
  }
}
