import { errors } from "../../errors.js";
import { JsonText } from "../../json-text.js";
import { isValidServerName } from "../../server-name.js";
import type { ClaimKeysBody, ClaimKeysResponse } from "../../../schemas/client/e2e-keys/claim-keys.js";
import type { QueryKeysBody, QueryKeysResponse } from "../../../schemas/client/e2e-keys/query-keys.js";
import { parseUserId } from "../user-ids.js";
import type { E2eKeysService } from "./e2e-keys-service.js";
import { assignOwn, setOwn } from "./own-entries.js";
import { checkRemoteClaimedKeys, checkRemoteDeviceKeys, failureOf, type RemoteUserKeys } from "./remote-user-keys.js";
import { nonEmptyFields, type CrossSigningService } from "./cross-signing/cross-signing-service.js";
import { checkRemoteCrossSigningKeys } from "./cross-signing/remote-cross-signing-keys.js";
import type { RemoteDeviceLists } from "../device-lists/remote-device-lists.js";

/** The spec recommends 10 s; a client may ask for less, or more up to a minute. */
const DEFAULT_TIMEOUT_MS = 10_000;
const MIN_TIMEOUT_MS = 100;
const MAX_TIMEOUT_MS = 60_000;
/** Other servers asked at once, as Synapse limits it. */
const CONCURRENT_SERVERS = 10;

/**
 * The answer as JSON text: local users' devices as E2eKeysService.queryLocalJson spliced them from their stored
 * JSON, beside the rest (remote users, failures, cross-signing keys), which is serialised here as usual.
 */
function answerJson(localJson: ReadonlyMap<string, string>, response: QueryKeysResponse): JsonText {
  const { device_keys: others, ...rest } = response;
  const users: string[] = [];
  for (const [userId, devices] of localJson) users.push(`${JSON.stringify(userId)}:${devices}`);
  for (const [userId, devices] of Object.entries(others)) users.push(`${JSON.stringify(userId)}:${JSON.stringify(devices)}`);
  const restJson = JSON.stringify(rest);
  return new JsonText(`{"device_keys":{${users.join(",")}}${restJson === "{}" ? "}" : `,${restJson.slice(1)}`}`);
}

const timeoutOf = (timeout: number | undefined) => Math.min(Math.max(timeout ?? DEFAULT_TIMEOUT_MS, MIN_TIMEOUT_MS), MAX_TIMEOUT_MS);

/** Runs `work` for each item, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * /keys/query and /keys/claim for clients: local users from E2eKeysService, remote users whose device list is
 * cached (we share a room with them and follow their updates) from the cache, other users of other servers
 * asked of their server over federation, one request per server. A server that cannot be reached or fails is
 * listed in `failures` and its users are left out; the rest of the answer stands.
 */
export class KeyDistribution {
  constructor(
    private readonly serverName: string,
    private readonly local: Pick<E2eKeysService, "queryLocalJson" | "claimLocal">,
    private readonly remote: RemoteUserKeys,
    /** The queried users' cross-signing keys: master_keys, self_signing_keys, and the requester's user_signing_keys. */
    private readonly crossSigning?: Pick<CrossSigningService, "keysOf" | "withSignaturesBy">,
    /** Remote users' cached device lists; their cross-signing keys are those stored here (crossSigning.keysOf). */
    private readonly cached?: Pick<RemoteDeviceLists, "query" | "queriedUncached">,
  ) {}

  /** `requesterId`: who asks, which decides the cross-signing keys and signatures they see. */
  async query(body: QueryKeysBody, requesterId?: string): Promise<JsonText> {
    const local: Record<string, string[]> = {};
    const byServer = new Map<string, Record<string, string[]>>();
    for (const [userId, deviceIds] of Object.entries(body.device_keys)) {
      const server = parseUserId(userId)?.serverName;
      // Synapse leaves out ids that are not user ids, as if the user had no devices.
      if (server === undefined || !isValidServerName(server)) continue;
      setOwn(server === this.serverName ? local : (byServer.get(server) ?? byServer.set(server, {}).get(server)!), userId, deviceIds);
    }
    const response: QueryKeysResponse = { device_keys: {}, failures: {} };
    const remoteUsers = [...byServer.values()].flatMap((asked) => Object.keys(asked));
    const cached = this.cached;
    const fromCache = async () => {
      if (!cached || byServer.size === 0) return;
      const found = await cached.query(Object.assign({}, ...byServer.values()) as Record<string, string[]>);
      assignOwn(response.device_keys, found);
      for (const [server, asked] of byServer) {
        for (const userId of Object.keys(found)) delete asked[userId];
        if (Object.keys(asked).length === 0) byServer.delete(server);
      }
      const uncached = [...byServer.values()].flatMap((asked) => Object.keys(asked));
      // In the background (it logs its own failures): the answer comes from their servers this time.
      void cached.queriedUncached(uncached);
    };
    // The three reads at once. Cross-signing keys: what is stored here, for local users and remote ones whose
    // keys came in EDUs; a remote server's answer replaces it.
    const [localJson, crossSigning] = await Promise.all([
      this.local.queryLocalJson(local, { displayNames: true }),
      this.crossSigning?.keysOf([...Object.keys(local), ...remoteUsers], requesterId),
      fromCache(),
    ]);
    const timeoutMs = timeoutOf(body.timeout);
    await eachLimited([...byServer], CONCURRENT_SERVERS, async ([server, asked]) => {
      try {
        const answer = await this.remote.queryKeys(server, asked, timeoutMs);
        assignOwn(response.device_keys, checkRemoteDeviceKeys(answer, asked));
        if (crossSigning && this.crossSigning) {
          // The user's own server answered: what it says replaces what we kept, a key it no longer has included.
          const remoteKeys = checkRemoteCrossSigningKeys(answer, asked);
          const masters = requesterId === undefined ? remoteKeys.master_keys : await this.crossSigning.withSignaturesBy(requesterId, remoteKeys.master_keys);
          for (const userId of Object.keys(asked)) {
            delete crossSigning.master_keys[userId];
            delete crossSigning.self_signing_keys[userId];
          }
          assignOwn(crossSigning.master_keys, masters);
          assignOwn(crossSigning.self_signing_keys, remoteKeys.self_signing_keys);
        }
      } catch (error) {
        setOwn(response.failures, server, failureOf(error));
      }
    });
    return answerJson(localJson, crossSigning ? { ...response, ...nonEmptyFields(crossSigning) } : response);
  }

  async claim(body: ClaimKeysBody): Promise<ClaimKeysResponse> {
    const local: Record<string, Record<string, string>> = {};
    const byServer = new Map<string, Record<string, Record<string, string>>>();
    for (const [userId, devices] of Object.entries(body.one_time_keys)) {
      const server = parseUserId(userId)?.serverName;
      // As Synapse: a claim naming something that is not a user id is refused.
      if (server === undefined || !isValidServerName(server)) throw errors.invalidParam(`${JSON.stringify(userId.slice(0, 255))} is not a user id`);
      setOwn(server === this.serverName ? local : (byServer.get(server) ?? byServer.set(server, {}).get(server)!), userId, devices);
    }
    const response: ClaimKeysResponse = { one_time_keys: await this.local.claimLocal(local), failures: {} };
    const timeoutMs = timeoutOf(body.timeout);
    await eachLimited([...byServer], CONCURRENT_SERVERS, async ([server, asked]) => {
      try {
        assignOwn(response.one_time_keys, checkRemoteClaimedKeys(await this.remote.claimKeys(server, asked, timeoutMs), asked));
      } catch (error) {
        setOwn(response.failures, server, failureOf(error));
      }
    });
    return response;
  }
}
