import type { CoreContext } from "../../core/core-context.js";
import type { FederationOutboxStore } from "../../storage/stores/federation-outbox-store.js";
import { parseUserId } from "../../users/user-ids.js";
import type { DeviceListChanges } from "../../users/device-lists/device-list-changes.js";
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
}

/** The update the EDU describes, or why it is refused. */
function parseUpdate(content: JsonObject): Update | string {
  const { user_id: userId, device_id: deviceId, stream_id: streamId, prev_id: prevId } = content;
  if (!isStorableId(userId) || parseUserId(userId) === undefined) return "no valid user_id";
  if (!isStorableId(deviceId)) return "no valid device_id";
  if (!isStreamId(streamId)) return "stream_id is not a non-negative integer";
  if (prevId !== undefined && (!Array.isArray(prevId) || !prevId.every(isStreamId))) return "prev_id is not a list of stream ids";
  return { userId, deviceId, streamId, prevIds: (prevId as number[] | undefined) ?? [] };
}

/**
 * Incoming m.device_list_update, for the origin's own users who share a room with one of ours (Synapse ignores the
 * others too: nobody here would be told). An update that follows the last one we know (its prev_id names it) is
 * recorded as a change of the user's device list, so our users in their rooms see them in device_lists.changed and
 * /keys/changes and re-query their keys. We keep no copy of remote keys (/keys/query asks their server each time),
 * so there is no cache to mark stale. An update after a gap (a prev_id we never saw), or the first we hear of a
 * user, is a resync: GET /user/devices on the origin tells where their list stands now. Updates of one user are
 * taken one at a time.
 */
export class DeviceListUpdatesIn {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly seen = new Map<string, number[]>();

  constructor(
    private readonly core: Pick<CoreContext, "serverName" | "database" | "clock" | "logger">,
    private readonly store: Pick<FederationOutboxStore, "sharesRoomWithLocalUser" | "remoteDeviceListPosition" | "setRemoteDeviceListPosition">,
    private readonly changes: Pick<DeviceListChanges, "recordIn">,
    private readonly remote: RemoteUserDevices,
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
      await this.changes.recordIn(tx, update.userId, [update.deviceId]);
    });
    this.remember(update.userId, update.streamId);
  }

  /**
   * After a gap: the change is recorded at once (our users' clients re-query the keys live, so nothing is lost even
   * if the origin cannot be reached), then GET /user/devices asks the origin, in the background, where the user's
   * list stands, and later updates of the user wait for it. Should the origin not answer, the position stays as it
   * was and the next update resyncs again.
   */
  private async resync(origin: string, update: Update): Promise<void> {
    await this.core.database.transaction((tx) => this.changes.recordIn(tx, update.userId, [update.deviceId]));
    this.afterwards(update.userId, async () => {
      let streamId: number;
      try {
        const answer = await this.remote.userDevices(origin, update.userId);
        if (!isObject(answer) || answer.user_id !== update.userId || !isStreamId(answer.stream_id) || !Array.isArray(answer.devices)) {
          throw new Error("the answer is not a device list of this user");
        }
        streamId = answer.stream_id;
      } catch (error) {
        this.core.logger.info({ origin, userId: update.userId, err: (error as Error).message }, "device list resync failed");
        return;
      }
      await this.core.database.transaction((tx) => this.store.setRemoteDeviceListPosition(tx, update.userId, streamId, this.core.clock.now()));
      // A resync starts the user's history afresh.
      this.seen.delete(update.userId);
      this.remember(update.userId, streamId);
    });
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
