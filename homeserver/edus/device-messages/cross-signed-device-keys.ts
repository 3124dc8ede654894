import type { Db, Tx } from "../../storage/database.js";
import type { CrossSigningStore } from "../../storage/stores/cross-signing-store.js";
import type { DeviceKeys } from "../../../schemas/client/e2e-keys/device-keys.js";
import { withSignatures } from "../../users/e2e-keys/cross-signing/cross-signing-keys.js";

/**
 * Device keys as other servers are to hold them: with the signatures the owner's self-signing key made of them
 * (/keys/signatures/upload), as POST /keys/query shows them. Without these a peer that caches our device lists
 * from m.device_list_update and GET /user/devices (Synapse does) never sees our users' devices as cross-signed.
 */
export async function crossSignedDeviceKeys(
  store: Pick<CrossSigningStore, "signaturesOn">,
  executor: Db | Tx,
  userId: string,
  devices: ReadonlyArray<{ deviceId: string; keyJson: string }>,
): Promise<Map<string, DeviceKeys>> {
  const signatures = await store.signaturesOn(executor, devices.map((d) => ({ userId, keyId: d.deviceId })));
  return new Map(
    devices.map((d) => [d.deviceId, withSignatures(JSON.parse(d.keyJson) as DeviceKeys, signatures.filter((s) => s.targetKeyId === d.deviceId))]),
  );
}
