import type { CoreContext } from "../../core/core-context.js";
import type { FederationOutboxStore } from "../../storage/stores/federation-outbox-store.js";
import { parseUserId } from "../../users/user-ids.js";
import type { DeviceListChanges } from "../../users/device-lists/device-list-changes.js";
import type { RemoteDeviceLists } from "../../users/device-lists/remote-device-lists.js";
import type { SigningKeyUpdates } from "../../users/e2e-keys/cross-signing/signing-key-updates.js";
import { DEVICE_LIST_UPDATE } from "./device-list-updates-out.js";
import type { RemoteUserDevices } from "./user-devices.js";

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);
const isStreamId = (value: unknown): value is number => typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
const MAX_ID_LENGTH = 255;
const isStorableId = (value: unknown): value is string =>
  typeof value === "string" && value !== "" && value.length <= MAX_ID_LENGTH && !value.includes("\u0000") && value.isWellFormed();
/** Stream ids of a user's updates applied lately, besides the stored last one (a sender may list several prev_ids). */
const SEEN_PER_USER = 50;
const SEEN_USERS = 10_000;

interface Update {
  userId: string;
  deviceId: string;
  streamId: number;
  prevIds: number[];
  deleted: boolean;
  keys?: unknown;
  displayName?: string;
}

/** The update the EDU describes, or why it is refused. */
function parseUpdate(content: JsonObject): Update | string {
  const { user_id: userId, device_id: deviceId, stream_id: streamId, prev_id: prevId, deleted, keys, device_display_name: displayName } = content;
  if (!isStorableId(userId) || parseUserId(userId) === undefined) return "no valid user_id";
  if (!isStorableId(deviceId)) return "no valid device_id";
  if (!isStreamId(streamId)) return "stream_id is not a non-negative integer";
  if (prevId !== undefined && (!Array.isArray(prevId) || !prevId.every(isStreamId))) return "prev_id is not a list of stream ids";
  if (deleted !== undefined && typeof deleted !== "boolean") return "deleted is not a boolean";
  return {
    userId,
    deviceId,
    streamId,
    prevIds: (prevId as number[] | undefined) ?? [],
    deleted: deleted === true,
    keys,
    displayName: typeof displayName === "string" ? displayName : undefined,
  };
}

/**
 * Incoming m.device_list_update, for the origin's own users who share a room with one of ours (Synapse ignores the
 * others too: nobody here would be told). An update that follows the last one we know (its prev_id names it) is
 * recorded as a change of the user's device list, so our users in their rooms see them in device_lists.changed and
 * /keys/changes and re-query their keys, and applied to the user's cached list (users/device-lists/
 * remote-device-lists.ts), from which /keys/query answers. An update after a gap (a prev_id we never saw), or the
 * first we hear of a user, is a resync: GET /user/devices on the origin gives their whole list and where it stands
 * now, which becomes the cached list. Updates of one user are taken one at a time.
 */
export class DeviceListUpdatesIn {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly seen = new Map<string, number[]>();

  constructor(
    private readonly core: Pick<CoreContext, "serverName" | "database" | "clock" | "logger">,
    private readonly store: Pick<FederationOutboxStore, "sharesRoomWithLocalUser" | "remoteDeviceListPosition" | "setRemoteDeviceListPosition">,
    private readonly changes: Pick<DeviceListChanges, "recordIn">,
    private readonly remote: RemoteUserDevices,
    private readonly cache: Pick<RemoteDeviceLists, "applyIn" | "replaceIn" | "forgetIn" | "isCached">,
    /** Where a resync's master and self-signing keys go, as if an m.signing_key_update had brought them. */
    private readonly signingKeys: Pick<SigningKeyUpdates, "receive">,
  ) {}

  /** The EduHandler: throws (the dispatcher logs it) for an update it refuses. */
  receive = async (origin: string, content: JsonObject): Promise<void> => {
    const update = parseUpdate(content);
    if (typeof update === "string") throw new Error(`${DEVICE_LIST_UPDATE} from ${origin}: ${update}`);
    if (parseUserId(update.userId)?.serverName !== origin) throw new Error(`${DEVICE_LIST_UPDATE} from ${origin}: ${update.userId} is not a user of ${origin}`);
    if (!(await this.store.sharesRoomWithLocalUser(update.userId, this.core.serverName))) {
      this.core.logger.debug({ origin, userId: update.userId }, "device list update for a user who shares no room with ours: ignored");
      return;
    }
    await this.oneAtATime(update.userId, () => this.apply(origin, update));
  };

  private async apply(origin: string, update: Update): Promise<void> {
    const known = await this.store.remoteDeviceListPosition(update.userId);
    const seen = this.seen.get(update.userId) ?? [];
    if (update.streamId === known || seen.includes(update.streamId)) return; // a repeat: nothing new
    const follows = known !== undefined && update.prevIds.length > 0 && update.prevIds.every((id) => id === known || seen.includes(id));
    if (!follows) {
      await this.resync(origin, update);
      return;
    }
    await this.core.database.transaction(async (tx) => {
      await this.store.setRemoteDeviceListPosition(tx, update.userId, update.streamId, this.core.clock.now());
      await this.cache.applyIn(tx, update.userId, update);
      await this.changes.recordIn(tx, update.userId, [update.deviceId]);
    });
    this.remember(update.userId, update.streamId);
  }

  /**
   * After a gap: the change is recorded at once and the cached list, which misses something, is forgotten (our
   * users' clients re-query the keys, from the origin, so nothing is lost even if it cannot be reached), then GET
   * /user/devices asks the origin, in the background, for the user's list, and later updates of the user wait for
   * it. Should the origin not answer, nothing is cached and the next update resyncs again.
   */
  private async resync(origin: string, update: Update): Promise<void> {
    await this.core.database.transaction(async (tx) => {
      await this.cache.forgetIn(tx, update.userId);
      await this.changes.recordIn(tx, update.userId, [update.deviceId]);
    });
    this.afterwards(update.userId, () => this.fetchList(origin, update.userId, { tellClients: true }));
  }

  /**
   * For /keys/query of a user who shares a room with ours and whose list is not cached (they changed nothing since
   * we began sharing, so no update came): a resync in the background, behind their updates, so that the next
   * query is answered here. The query itself was answered by their server.
   */
  startCaching(origin: string, userId: string): void {
    this.afterwards(userId, async () => {
      if (!(await this.cache.isCached(userId))) await this.fetchList(origin, userId, { tellClients: false });
    });
  }

  /**
   * GET /user/devices: the user's whole list becomes the cached one, and its stream id the position later updates
   * follow. `tellClients`: record it as a change (after a gap, our users' clients may hold an outdated list).
   */
  private async fetchList(origin: string, userId: string, options: { tellClients: boolean }): Promise<void> {
    let answer: Record<string, unknown>;
    try {
      const fetched = await this.remote.userDevices(origin, userId);
      if (!isObject(fetched) || fetched.user_id !== userId || !isStreamId(fetched.stream_id) || !Array.isArray(fetched.devices)) {
        throw new Error("the answer is not a device list of this user");
      }
      answer = fetched;
    } catch (error) {
      this.core.logger.info({ origin, userId, err: (error as Error).message }, "device list resync failed");
      return;
    }
    const streamId = answer.stream_id as number;
    await this.core.database.transaction(async (tx) => {
      await this.store.setRemoteDeviceListPosition(tx, userId, streamId, this.core.clock.now());
      await this.cache.replaceIn(tx, userId, answer.devices as unknown[]);
      if (options.tellClients) await this.changes.recordIn(tx, userId, undefined);
    });
    await this.keepSigningKeys(origin, userId, answer);
    // A resync starts the user's history afresh.
    this.seen.delete(userId);
    this.remember(userId, streamId);
  }

  /** The resync's master and self-signing keys, kept as an m.signing_key_update's would be (a bad one is logged). */
  private async keepSigningKeys(origin: string, userId: string, answer: Record<string, unknown>): Promise<void> {
    if (answer.master_key === undefined && answer.self_signing_key === undefined) return;
    const content: Record<string, unknown> = { user_id: userId };
    if (answer.master_key !== undefined) content.master_key = answer.master_key;
    if (answer.self_signing_key !== undefined) content.self_signing_key = answer.self_signing_key;
    try {
      await this.signingKeys.receive(origin, content);
    } catch (error) {
      this.core.logger.info({ origin, userId, err: (error as Error).message }, "the cross-signing keys of a device list resync were not kept");
    }
  }

  private remember(userId: string, streamId: number): void {
    const seen = this.seen.get(userId) ?? [];
    seen.push(streamId);
    if (seen.length > SEEN_PER_USER) seen.shift();
    this.seen.delete(userId); // re-inserted last: the map forgets the users heard of least lately first
    this.seen.set(userId, seen);
    if (this.seen.size > SEEN_USERS) this.seen.delete(this.seen.keys().next().value!);
  }

  private async oneAtATime(userId: string, work: () => Promise<void>): Promise<void> {
    const mine = (this.queues.get(userId) ?? Promise.resolve()).then(work);
    this.chain(userId, mine);
    await mine;
  }

  /** Queues `work` behind the user's current work without waiting for it; its failures are logged. */
  private afterwards(userId: string, work: () => Promise<void>): void {
    const later = (this.queues.get(userId) ?? Promise.resolve()).then(work).catch((error: unknown) => {
      this.core.logger.warn({ userId, err: (error as Error).message }, "device list resync could not be stored");
    });
    this.chain(userId, later);
  }

  private chain(userId: string, work: Promise<void>): void {
    const tail = work.catch(() => {});
    this.queues.set(userId, tail);
    void tail.then(() => {
      if (this.queues.get(userId) === tail) this.queues.delete(userId);
    });
  }
}
