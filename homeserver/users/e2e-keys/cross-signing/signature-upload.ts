import type { CoreContext } from "../../../core/core-context.js";
import { decodeBase64 } from "../../../crypto/base64.js";
import { MatrixError, errors } from "../../../errors.js";
import type { CrossSignature, CrossSigningStore } from "../../../storage/stores/cross-signing-store.js";
import type { E2eKeysStore } from "../../../storage/stores/e2e-keys-store.js";
import type { DeviceKeys } from "../../../../schemas/client/e2e-keys/device-keys.js";
import type { SignatureFailure, UploadSignaturesBody, UploadSignaturesResponse } from "../../../../schemas/client/e2e-keys/upload-signatures.js";
import type { DeviceListChanges } from "../../device-lists/device-list-changes.js";
import type { Requester } from "../../requester.js";
import { isValidServerName } from "../../../server-name.js";
import { parseUserId } from "../../user-ids.js";
import { invalidSignature } from "../device-key-checks.js";
import { ownOrSet, setOwn } from "../own-entries.js";
import type { RemoteUserKeys } from "../remote-user-keys.js";
import { isObject, isSignedBy, parseCrossSigningKey, signedContent, type ParsedCrossSigningKey } from "./cross-signing-keys.js";
import { readStoredKeys } from "./stored-keys.js";

type JsonObject = Record<string, unknown>;
type Failures = UploadSignaturesResponse["failures"];
type Signer = { keyId: string; publicKey: Uint8Array };

/** How long to wait for another server's answer when its user's master key is not known here. */
const REMOTE_QUERY_TIMEOUT_MS = 10_000;

const failureOf = (error: MatrixError): SignatureFailure => ({ errcode: error.errcode, error: error.message, status: error.status });
const badSignature = () => invalidSignature("Invalid signature");
const unknownDevice = () => errors.notFound("Unknown device");

function fail(failures: Failures, userId: string, keyId: string, error: MatrixError): void {
  setOwn(ownOrSet(failures, userId, () => ({})), keyId, failureOf(error));
}

/** Runs `check`; a MatrixError it throws becomes the failure of that key, anything else stays an error. */
function recording<T>(failures: Failures, userId: string, keyIds: () => readonly string[], check: () => T): T | undefined {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof MatrixError)) throw error;
    for (const keyId of keyIds()) fail(failures, userId, keyId, error);
    return undefined;
  }
}

/**
 * The uploaded copy must be the stored object with other signatures (Synapse answers "Key does not match",
 * M_UNKNOWN, otherwise), and `signer` must have signed it.
 */
function checkSignedCopy(userId: string, signed: JsonObject, stored: JsonObject, signer: Signer): void {
  if (signedContent(signed) !== signedContent(stored)) throw errors.unknown("Key does not match");
  if (!isSignedBy(signed, userId, signer)) throw badSignature();
}

const signatureBy = (signed: JsonObject, userId: string, keyId: string): string => (signed.signatures as Record<string, Record<string, string>>)[userId][keyId];

/**
 * POST /keys/signatures/upload, as Synapse handles it: the user's devices signed by their self-signing key,
 * the user's master key signed by their devices, and other users' master keys signed by the user's
 * user-signing key. Each signed object is checked against the stored one and its signature verified; the
 * valid signatures are stored, the others answered in `failures`. Only a malformed body is a 400.
 */
export class SignatureUpload {
  constructor(
    private readonly core: Pick<CoreContext, "serverName" | "database" | "db" | "logger">,
    private readonly store: Pick<CrossSigningStore, "keysOf" | "signaturesOn" | "addSignatures">,
    private readonly deviceKeys: Pick<E2eKeysStore, "queryDeviceKeys">,
    private readonly deviceLists: Pick<DeviceListChanges, "recordIn">,
    private readonly remote: RemoteUserKeys,
  ) {}

  async upload(requester: Requester, body: UploadSignaturesBody): Promise<UploadSignaturesResponse> {
    const userId = requester.userId;
    for (const [targetUser, entries] of Object.entries(body)) {
      if (!isObject(entries) || !Object.values(entries).every(isObject)) throw errors.invalidParam(`The signed keys of ${targetUser.slice(0, 255)} must be objects`);
    }
    const failures: Failures = {};
    const own = Object.hasOwn(body, userId) ? await this.ownSignatures(userId, body[userId], failures) : [];
    const others = await this.signaturesOfOthers(userId, Object.entries(body).filter(([target]) => target !== userId), failures);
    if (own.length + others.length > 0) {
      await this.core.database.transaction(async (tx) => {
        await this.store.addSignatures(tx, [...own, ...others]);
        // A new signature of one's own device or master key changes what one's room-mates must fetch; other
        // servers are told of the devices signed (a master key is not a device: nothing for them there). A
        // signature of another user's master key changes whom one has verified, which one's other devices
        // re-fetch (as Synapse marks the signer changed); it is private, so no other server is told of it.
        if (own.length + others.length > 0) await this.deviceLists.recordIn(tx, userId, [...new Set(own.flatMap((s) => (s.targetDeviceId === undefined ? [] : [s.targetDeviceId])))]);
      });
    }
    return { failures };
  }

  /** Signatures of the user's own keys: devices by the self-signing key, the master key by devices. */
  private async ownSignatures(userId: string, entries: Record<string, JsonObject>, failures: Failures): Promise<CrossSignature[]> {
    const keyIds = Object.keys(entries);
    if (keyIds.length === 0) return [];
    const keys = (await readStoredKeys(this.store, this.core.db, [userId])).get(userId);
    const selfSigning = keys?.get("self_signing")?.parsed;
    const master = keys?.get("master")?.parsed;
    const rows = await this.deviceKeys.queryDeviceKeys([{ userId, deviceIds: null }]);
    const missing = !selfSigning ? `No self_signing key found for ${userId}` : !master ? `No master key found for ${userId}` : rows.length === 0 ? "No device keys found" : undefined;
    if (missing || !selfSigning || !master) {
      for (const keyId of keyIds) fail(failures, userId, keyId, errors.notFound(missing));
      return [];
    }
    const devices = new Map(rows.map((row) => [row.deviceId, JSON.parse(row.keyJson) as DeviceKeys]));
    const stored = await this.store.signaturesOn(this.core.db, [...[...devices.keys()].map((keyId) => ({ userId, keyId })), { userId, keyId: master.keyName }], userId);
    const storedSignature = (keyId: string, signerKeyId: string) => stored.find((s) => s.targetKeyId === keyId && s.signerKeyId === signerKeyId)?.signature;

    const result: CrossSignature[] = [];
    for (const [keyId, signed] of Object.entries(entries)) {
      const found = recording(failures, userId, () => [keyId], () => {
        const mine = isObject(signed.signatures) && Object.hasOwn(signed.signatures, userId) ? signed.signatures[userId] : undefined;
        if (!isObject(mine)) throw badSignature();
        if (keyId === master.keyName) return this.masterSignedByDevices(userId, signed, mine, master, devices, storedSignature);
        if (typeof mine[selfSigning.keyId] !== "string") throw badSignature();
        const device = devices.get(keyId);
        if (!device) throw unknownDevice();
        // Already signed by this key: the signature is the same (ed25519 is deterministic), nothing to store.
        if (device.signatures?.[userId]?.[selfSigning.keyId] !== undefined || storedSignature(keyId, selfSigning.keyId) !== undefined) return [];
        checkSignedCopy(userId, signed, device, selfSigning);
        const signature = signatureBy(signed, userId, selfSigning.keyId);
        return [{ signerUserId: userId, signerKeyId: selfSigning.keyId, targetUserId: userId, targetKeyId: keyId, signature, targetDeviceId: keyId }];
      });
      if (found) result.push(...found);
    }
    return result;
  }

  /**
   * Each signature the user's master key carries for the user: by one of their devices (its ed25519 key), or
   * one already known (as stored with the key, or uploaded before) that a client sent back with the key.
   */
  private masterSignedByDevices(
    userId: string,
    signed: JsonObject,
    mine: JsonObject,
    master: ParsedCrossSigningKey,
    devices: Map<string, DeviceKeys>,
    storedSignature: (keyId: string, signerKeyId: string) => string | undefined,
  ): CrossSignature[] {
    const result: CrossSignature[] = [];
    for (const [signerKeyId, signature] of Object.entries(mine)) {
      if (typeof signature !== "string") throw badSignature();
      if (master.key.signatures?.[userId]?.[signerKeyId] === signature || storedSignature(master.keyName, signerKeyId) === signature) continue;
      const deviceId = signerKeyId.startsWith("ed25519:") ? signerKeyId.slice("ed25519:".length) : undefined;
      const encoded = deviceId === undefined ? undefined : devices.get(deviceId)?.keys[signerKeyId];
      if (encoded === undefined) throw badSignature();
      let publicKey: Buffer;
      try {
        publicKey = decodeBase64(encoded);
      } catch {
        throw badSignature();
      }
      checkSignedCopy(userId, signed, master.key, { keyId: signerKeyId, publicKey });
      result.push({ signerUserId: userId, signerKeyId, targetUserId: userId, targetKeyId: master.keyName, signature, signerDeviceId: deviceId });
    }
    return result;
  }

  /** Other users' master keys signed by the user's user-signing key; one key per user, the master key only. */
  private async signaturesOfOthers(userId: string, targets: Array<[string, Record<string, JsonObject>]>, failures: Failures): Promise<CrossSignature[]> {
    if (targets.length === 0) return [];
    const userSigning = (await readStoredKeys(this.store, this.core.db, [userId])).get(userId)?.get("user_signing")?.parsed;
    if (!userSigning) {
      const error = errors.notFound(`No user_signing key found for ${userId}`);
      for (const [target, entries] of targets) for (const keyId of Object.keys(entries)) fail(failures, target, keyId, error);
      return [];
    }
    const storedKeys = await readStoredKeys(this.store, this.core.db, targets.map(([target]) => target));
    const result: CrossSignature[] = [];
    for (const [target, entries] of targets) {
      const master = storedKeys.get(target)?.get("master")?.parsed ?? (await this.remoteMaster(target));
      const already = master ? await this.store.signaturesOn(this.core.db, [{ userId: target, keyId: master.keyName }], userId) : [];
      let signedKeyId: string | undefined;
      const found = recording(failures, target, () => (signedKeyId === undefined ? Object.keys(entries) : [signedKeyId]), () => {
        if (!master) throw errors.notFound(`No master key found for ${target}`);
        if (!Object.hasOwn(entries, master.keyName)) throw unknownDevice();
        signedKeyId = master.keyName;
        for (const other of Object.keys(entries)) if (other !== master.keyName) fail(failures, target, other, unknownDevice());
        if (already.some((s) => s.signerKeyId === userSigning.keyId) || master.key.signatures?.[userId]?.[userSigning.keyId] !== undefined) return [];
        const signed = entries[master.keyName];
        checkSignedCopy(userId, signed, master.key, userSigning);
        return [{ signerUserId: userId, signerKeyId: userSigning.keyId, targetUserId: target, targetKeyId: master.keyName, signature: signatureBy(signed, userId, userSigning.keyId) }];
      });
      if (found) result.push(...found);
    }
    return result;
  }

  /** Another server's user's master key, asked of their server (a user we share no room with yet). */
  private async remoteMaster(userId: string): Promise<ParsedCrossSigningKey | undefined> {
    const server = parseUserId(userId)?.serverName;
    if (server === undefined || server === this.core.serverName || !isValidServerName(server)) return undefined;
    try {
      const answer = await this.remote.queryKeys(server, { [userId]: [] }, REMOTE_QUERY_TIMEOUT_MS);
      const masters = isObject(answer) && isObject(answer.master_keys) ? answer.master_keys : {};
      return Object.hasOwn(masters, userId) ? parseCrossSigningKey(masters[userId], userId, "master") : undefined;
    } catch (error) {
      this.core.logger.info({ userId, err: (error as Error).message }, "could not fetch a remote user's master key");
      return undefined;
    }
  }
}
