import { DeviceKeyCountsCache, type DeviceKeyCounts } from "./device-key-counts.js";
import type { DeviceListChanges } from "../device-lists/device-list-changes.js";
import type { CoreContext } from "../../core/core-context.js";
import { canonicalJson } from "../../crypto/canonical-json.js";
import { errors } from "../../errors.js";
import type { Tx } from "../../storage/database.js";
import { claimKey, type E2eKeysStore, type KeyClaim, type StoredKey } from "../../storage/stores/e2e-keys-store.js";
import type { DeviceInformation, DeviceKeys, OneTimeKeys } from "../../../schemas/client/e2e-keys/device-keys.js";
import type { UploadKeysBody, UploadKeysResponse } from "../../../schemas/client/e2e-keys/upload-keys.js";
import { parseUserId } from "../user-ids.js";
import { checkUploadedDeviceKeys, sameIdentityKeys, storableDeviceKeys } from "./device-key-checks.js";
import { ownOrSet, setOwn } from "./own-entries.js";
import type { CrossSignature, CrossSigningStore } from "../../storage/stores/cross-signing-store.js";
import { withSignatures } from "./cross-signing/cross-signing-keys.js";
import { deviceKeysText } from "./device-keys-text.js";
import { checkOneFallbackKeyPerAlgorithm, keyName, sameOneTimeKey, toStoredKeys } from "./one-time-key-ids.js";

/** The algorithm clients count on: /keys/upload always reports it, 0 when the device has none. */
export const SIGNED_CURVE25519 = "signed_curve25519";

/** User id -> device id -> device information. */
export type DeviceKeysByUser = Record<string, Record<string, DeviceInformation>>;
/** User id -> device id -> `<algorithm>:<key id>` -> key. */
export type ClaimedKeysByUser = Record<string, Record<string, OneTimeKeys>>;

/**
 * The end-to-end keys of this server's devices: what a device publishes (/keys/upload), what others read
 * (/keys/query) and take (/keys/claim) of them, locally or over federation. Remote users are the concern
 * of KeyDistribution, which calls this for the local part.
 */
export class E2eKeysService {
  private readonly counts: DeviceKeyCountsCache;

  constructor(
    private readonly core: CoreContext,
    private readonly store: E2eKeysStore,
    /** New or changed device keys are a change of the user's device list (their room-mates re-fetch them). */
    private readonly deviceLists?: Pick<DeviceListChanges, "recordIn">,
    /** Signatures of the devices by their owner's self-signing key (/keys/signatures/upload), served merged in. */
    private readonly crossSignatures?: Pick<CrossSigningStore, "selfSignaturesOf">,
  ) {
    // Read through the service's own queries; uploads and claims below forget a device's entry once committed.
    this.counts = new DeviceKeyCountsCache(core.clock, async (userId, deviceId) => {
      const [oneTimeKeyCounts, unusedFallbackKeyTypes] = await Promise.all([this.oneTimeKeyCounts(userId, deviceId), this.unusedFallbackKeyTypes(userId, deviceId)]);
      return { oneTimeKeyCounts, unusedFallbackKeyTypes };
    });
  }

  /** For /sync: the device's one-time key counts and unused fallback key types, kept between its syncs. */
  keyCounts(userId: string, deviceId: string): Promise<DeviceKeyCounts> {
    return this.counts.of(userId, deviceId);
  }

  /**
   * POST /keys/upload. Everything is checked before anything is written, and written in one transaction:
   * a refused upload stores none of its keys.
   */
  async upload(userId: string, deviceId: string, body: UploadKeysBody): Promise<UploadKeysResponse> {
    const deviceKeys = body.device_keys;
    if (deviceKeys) checkUploadedDeviceKeys(deviceKeys, userId, deviceId);
    const oneTimeKeys = toStoredKeys(body.one_time_keys);
    const fallbackKeys = toStoredKeys(body.fallback_keys);
    checkOneFallbackKeyPerAlgorithm(fallbackKeys);
    const counts = await this.core.database.transaction(async (tx) => {
      // The access token was valid a moment ago; its device may have been deleted since (with the token).
      if (!(await this.store.lockDevice(tx, userId, deviceId))) throw errors.unknownToken("The device of this access token no longer exists");
      if (deviceKeys) await this.putDeviceKeys(tx, userId, deviceId, deviceKeys);
      const stored = await this.store.oneTimeKeysAmong(tx, userId, deviceId, oneTimeKeys);
      const storedByName = new Map(stored.map((key) => [keyName(key), key.keyJson]));
      const fresh: StoredKey[] = [];
      for (const key of oneTimeKeys) {
        const existing = storedByName.get(keyName(key));
        if (existing === undefined) fresh.push(key);
        else if (!sameOneTimeKey(existing, key.keyJson)) throw errors.invalidParam(`One-time key ${keyName(key)} already exists with other content`);
      }
      await this.store.addOneTimeKeys(tx, userId, deviceId, fresh);
      for (const key of fallbackKeys) await this.store.setFallbackKey(tx, userId, deviceId, key);
      return this.store.countOneTimeKeys(tx, userId, deviceId);
    });
    this.counts.forget(userId, deviceId);
    return { one_time_key_counts: { [SIGNED_CURVE25519]: 0, ...counts } };
  }

  private async putDeviceKeys(tx: Tx, userId: string, deviceId: string, deviceKeys: DeviceKeys): Promise<void> {
    const keyJson = canonicalJson(storableDeviceKeys(deviceKeys));
    const storedJson = await this.store.deviceKeyJson(tx, userId, deviceId);
    if (storedJson === keyJson) return;
    if (storedJson !== undefined && !sameIdentityKeys(JSON.parse(storedJson) as DeviceKeys, deviceKeys)) {
      throw errors.invalidParam("This device already has other identity keys; they cannot be changed");
    }
    await this.store.putDeviceKeys(tx, userId, deviceId, keyJson, this.core.clock.now());
    await this.deviceLists?.recordIn(tx, userId, [deviceId]);
  }

  /**
   * The device keys of local users, each asked-for user present even without devices (as Synapse answers).
   * Throws 400 M_INVALID_PARAM for a user of another server: callers split their query by server first.
   * Display names are for clients only: Synapse keeps them from other servers unless configured otherwise.
   */
  async queryLocal(query: Record<string, readonly string[]>, options: { displayNames: boolean }): Promise<DeviceKeysByUser> {
    const result: DeviceKeysByUser = {};
    for (const userId of Object.keys(query)) setOwn(result, userId, {});
    for (const { row, signatures, unsigned } of await this.storedDevices(query, options)) {
      setOwn(result[row.userId], row.deviceId, { ...withSignatures(JSON.parse(row.keyJson) as DeviceKeys, signatures), unsigned });
    }
    return result;
  }

  /**
   * queryLocal as JSON text, each user's devices object (the client's /keys/query): the same answer, spliced
   * together from the stored text (deviceKeysText), which a thousand devices otherwise spend most of the
   * request's time being parsed and serialised again.
   */
  async queryLocalJson(query: Record<string, readonly string[]>, options: { displayNames: boolean }): Promise<Map<string, string>> {
    const devices = new Map<string, string[]>(Object.keys(query).map((userId) => [userId, []]));
    for (const { row, signatures, unsigned } of await this.storedDevices(query, options)) {
      devices.get(row.userId)!.push(`${JSON.stringify(row.deviceId)}:${deviceKeysText(row, signatures, unsigned)}`);
    }
    return new Map([...devices].map(([userId, entries]) => [userId, `{${entries.join(",")}}`]));
  }

  /** The stored device keys asked for, each with its owner's cross-signing signatures on it and its `unsigned`. */
  private async storedDevices(query: Record<string, readonly string[]>, options: { displayNames: boolean }) {
    for (const userId of Object.keys(query)) {
      if (!this.isLocal(userId)) throw errors.invalidParam(`${userId.slice(0, 255)} is not a user of this server`);
    }
    // Both at once: the owners' signatures on their devices are all their own signatures (the master key's too,
    // which no device row matches).
    const [rows, ownSignatures] = await Promise.all([
      this.store.queryDeviceKeys(Object.entries(query).map(([userId, deviceIds]) => ({ userId, deviceIds }))),
      this.crossSignatures?.selfSignaturesOf(this.core.db, Object.keys(query)) ?? [],
    ]);
    const crossSignatures = new Map<string, CrossSignature[]>();
    for (const signature of ownSignatures) {
      const key = `${signature.targetUserId}\u0000${signature.targetKeyId}`;
      crossSignatures.set(key, [...(crossSignatures.get(key) ?? []), signature]);
    }
    return rows.map((row) => {
      const unsigned: DeviceInformation["unsigned"] = {};
      if (options.displayNames && row.displayName !== null) unsigned.device_display_name = row.displayName;
      return { row, signatures: crossSignatures.get(`${row.userId}\u0000${row.deviceId}`) ?? [], unsigned };
    });
  }

  /**
   * Hands out one key per device asked for: a one-time key, each exactly once however many claims run at
   * the same time, or when none is left the device's fallback key of that algorithm (kept, marked used).
   * Devices with neither are left out. Throws 400 M_INVALID_PARAM for a user of another server.
   */
  async claimLocal(query: Record<string, Record<string, string>>): Promise<ClaimedKeysByUser> {
    const claims: KeyClaim[] = [];
    for (const [userId, devices] of Object.entries(query)) {
      if (!this.isLocal(userId)) throw errors.invalidParam(`${userId.slice(0, 255)} is not a user of this server`);
      for (const [deviceId, algorithm] of Object.entries(devices)) claims.push({ userId, deviceId, algorithm });
    }
    const result: ClaimedKeysByUser = {};
    const claimed = await this.store.claimKeys(claims);
    for (const claim of claims) {
      const key = claimed.get(claimKey(claim));
      if (!key) continue;
      this.counts.forget(claim.userId, claim.deviceId);
      const keys = ownOrSet(ownOrSet(result, claim.userId, () => ({})), claim.deviceId, () => ({}));
      setOwn(keys, keyName(key), JSON.parse(key.keyJson) as OneTimeKeys[string]);
    }
    return result;
  }

  /** For /sync (device_one_time_keys_count): unclaimed one-time keys by algorithm, signed_curve25519 always present. */
  async oneTimeKeyCounts(userId: string, deviceId: string): Promise<Record<string, number>> {
    return { [SIGNED_CURVE25519]: 0, ...(await this.store.countOneTimeKeys(this.core.db, userId, deviceId)) };
  }

  /** For /sync (device_unused_fallback_key_types): algorithms whose fallback key has not been handed out. */
  unusedFallbackKeyTypes(userId: string, deviceId: string): Promise<string[]> {
    return this.store.unusedFallbackKeyTypes(userId, deviceId);
  }

  isLocal(userId: string): boolean {
    return parseUserId(userId)?.serverName === this.core.serverName;
  }
}
