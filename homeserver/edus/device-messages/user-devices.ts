import { errors } from "../../errors.js";
import type { FederationOutboxStore } from "../../storage/stores/federation-outbox-store.js";
import type { DeviceKeys } from "../../../schemas/client/e2e-keys/device-keys.js";
import type { CrossSigningKey } from "../../../schemas/client/e2e-keys/cross-signing-key.js";
import type { CrossSigningService } from "../../users/e2e-keys/cross-signing/cross-signing-service.js";
import { parseUserId } from "../../users/user-ids.js";
import type { Db } from "../../storage/database.js";
import type { CrossSigningStore } from "../../storage/stores/cross-signing-store.js";
import { crossSignedDeviceKeys } from "./cross-signed-device-keys.js";

/** GET /_matrix/federation/v1/user/devices/{userId}, as the spec's getUserDevices answers. */
export interface UserDevicesResponse {
  user_id: string;
  stream_id: number;
  devices: Array<{ device_id: string; keys: DeviceKeys; device_display_name?: string }>;
  master_key?: CrossSigningKey;
  self_signing_key?: CrossSigningKey;
}

/**
 * Our users' device lists as other servers fetch them: when they first share a room with the user, or when an
 * m.device_list_update's prev_id tells them they missed one. stream_id is the user's device list stream (the
 * stream_id of their last m.device_list_update), read with the devices in one snapshot. Devices without keys are
 * left out (the spec's entries require keys); display names too, as in POST /user/keys/query. Keys carry the owner's
 * cross-signatures of them, as /keys/query shows them. The user's master and
 * self-signing keys come with them when they have any (the user-signing key is theirs alone).
 */
export class UserDevices {
  constructor(
    private readonly serverName: string,
    private readonly store: Pick<FederationOutboxStore, "userDevices">,
    private readonly crossSigning: Pick<CrossSigningService, "keysOf">,
    private readonly signatures: Pick<CrossSigningStore, "signaturesOn">,
    private readonly db: Db,
  ) {}

  /** 400 M_INVALID_PARAM for a user of another server; a local user with no account has no devices (stream 0). */
  async forServer(userId: string): Promise<UserDevicesResponse> {
    if (userId.includes("\u0000") || !userId.isWellFormed()) throw errors.invalidParam("The user ID must be valid Unicode without NUL characters");
    if (parseUserId(userId)?.serverName !== this.serverName) throw errors.invalidParam(`${userId.slice(0, 255)} is not a user of this server`);
    const [{ streamId, devices }, crossSigning] = await Promise.all([this.store.userDevices(userId), this.crossSigning.keysOf([userId], undefined)]);
    const keys = await crossSignedDeviceKeys(this.signatures, this.db, userId, devices);
    const response: UserDevicesResponse = {
      user_id: userId,
      stream_id: streamId,
      devices: devices.map((d) => ({ device_id: d.deviceId, keys: keys.get(d.deviceId)! })),
    };
    if (Object.hasOwn(crossSigning.master_keys, userId)) response.master_key = crossSigning.master_keys[userId];
    if (Object.hasOwn(crossSigning.self_signing_keys, userId)) response.self_signing_key = crossSigning.self_signing_keys[userId];
    return response;
  }
}

/**
 * What the core asks of another server about one of its users' devices; federation/'s signed client implements it
 * (it refuses private address ranges). A failure throws.
 */
export interface RemoteUserDevices {
  userDevices(destination: string, userId: string): Promise<unknown>;
}

/** The one method of the signed federation client (federation/client/federation-client.ts) that this needs. */
export interface SignedGetter {
  get(destination: string, path: string): Promise<unknown>;
}

/** RemoteUserDevices over the signed client, beside remoteUserKeysOver (e2e-keys/remote-user-keys.ts) for the same reason. */
export function remoteUserDevicesOver(client: SignedGetter): RemoteUserDevices {
  return { userDevices: (destination, userId) => client.get(destination, `/_matrix/federation/v1/user/devices/${encodeURIComponent(userId)}`) };
}
