import type { CoreContext } from "../../../core/core-context.js";
import { canonicalJson } from "../../../crypto/canonical-json.js";
import { errors } from "../../../errors.js";
import type { Tx } from "../../../storage/database.js";
import type { CrossSigningKeyType, CrossSigningStore } from "../../../storage/stores/cross-signing-store.js";
import type { E2eKeysStore } from "../../../storage/stores/e2e-keys-store.js";
import type { CrossSigningKeysByUser } from "../../../../schemas/client/e2e-keys/cross-signing-key.js";
import type { UploadDeviceSigningBody } from "../../../../schemas/client/e2e-keys/upload-device-signing.js";
import { passwordUia } from "../../accounts.js";
import type { DeviceListChanges } from "../../device-lists/device-list-changes.js";
import type { Requester } from "../../requester.js";
import type { UiaService } from "../../uia.js";
import type { RemoteUserKeys } from "../remote-user-keys.js";
import { assignOwn, setOwn } from "../own-entries.js";
import { invalidSignature } from "../device-key-checks.js";
import { checkCrossSigningKey, isSignedBy, parseCrossSigningKey, withSignatures, type ParsedCrossSigningKey } from "./cross-signing-keys.js";
import { SignatureUpload } from "./signature-upload.js";
import { SigningKeyUpdates, type SigningKeyFederation } from "./signing-key-updates.js";
import { readStoredKeys, type StoredKey } from "./stored-keys.js";

/** The cross-signing part of a /keys/query answer. */
export interface CrossSigningKeysOfUsers {
  master_keys: CrossSigningKeysByUser;
  self_signing_keys: CrossSigningKeysByUser;
  user_signing_keys: CrossSigningKeysByUser;
}

/**
 * The fields that hold a key: the spec makes each optional, and an answer about users without cross-signing
 * keys then looks as it did before cross-signing existed.
 */
export function nonEmptyFields<T extends { [field in keyof T]: object }>(keys: T): Partial<T> {
  return Object.fromEntries(Object.entries(keys as Record<string, object>).filter(([, byUser]) => Object.keys(byUser).length > 0)) as Partial<T>;
}

const UPLOAD_FIELDS = [
  ["master_key", "master"],
  ["self_signing_key", "self_signing"],
  ["user_signing_key", "user_signing"],
] as const;

type Upload = Array<{ type: CrossSigningKeyType; key: unknown; json: string }>;

/**
 * Cross-signing keys (client-server API, "Cross-signing"): POST /keys/device_signing/upload, and what
 * /keys/query and federation's /user/keys/query show of them. Signatures are SignatureUpload's concern.
 */
export class CrossSigningService {
  readonly updates: SigningKeyUpdates;

  constructor(
    private readonly core: Pick<CoreContext, "serverName" | "database" | "db" | "clock" | "logger">,
    private readonly store: CrossSigningStore,
    private readonly deviceKeys: Pick<E2eKeysStore, "queryDeviceKeys">,
    private readonly uia: Pick<UiaService, "authenticate">,
    /** A change of the master or self-signing key is a change of the user's device list. */
    private readonly deviceLists: Pick<DeviceListChanges, "recordIn">,
  ) {
    this.updates = new SigningKeyUpdates(core, store, deviceLists);
  }

  /** For homeserver/edus/device-messages/: where m.signing_key_update EDUs go. */
  useFederation(federation: SigningKeyFederation): void {
    this.updates.useFederation(federation);
  }

  /** POST /keys/signatures/upload, with `remote` to fetch the master key of another server's user when needed. */
  signatureUpload(remote: RemoteUserKeys): SignatureUpload {
    return new SignatureUpload(this.core, this.store, this.deviceKeys, this.deviceLists, remote);
  }

  /**
   * POST /keys/device_signing/upload. UIA is needed only to replace keys: not for a user's first master key
   * (the spec's exemption), nor for keys identical to the stored ones, which Synapse answers with 200 at once
   * (a retry whose response was lost). The keys are checked before UIA, so a client is not sent through auth
   * for keys that would be refused, and again under the user's lock before they are written.
   */
  async uploadKeys(requester: Requester, body: UploadDeviceSigningBody): Promise<Record<string, never>> {
    const userId = requester.userId;
    const upload: Upload = [];
    for (const [field, type] of UPLOAD_FIELDS) {
      if (body[field] !== undefined) upload.push({ type, key: body[field], json: canonicalJson(body[field]) });
    }
    const before = await this.storedOf(this.core.db, userId);
    if (!this.changes(upload, before)) return {};
    this.check(userId, upload, before);
    const uiaRequest = passwordUia("device_signing_upload", userId);
    const authenticated = before.has("master");
    if (authenticated) await this.uia.authenticate(body.auth, uiaRequest);

    await this.core.database.transaction(async (tx) => {
      await this.store.lockUser(tx, userId);
      const stored = await this.storedOf(tx, userId);
      const fresh = upload.filter((entry) => entry.json !== stored.get(entry.type)?.json);
      if (fresh.length === 0) return;
      // Another upload set the first master key meanwhile: replacing it now needs auth after all.
      if (!authenticated && stored.has("master")) await this.uia.authenticate(undefined, uiaRequest);
      this.check(userId, upload, stored);
      await this.refuseDeviceIds(tx, userId, fresh);
      for (const entry of fresh) await this.store.putKey(tx, { userId, keyType: entry.type, keyJson: entry.json }, this.core.clock.now());
      // No device changed (an empty list): m.signing_key_update, not m.device_list_update, tells other servers,
      // queued with the change. The user-signing key is private to its user: other servers hear only of the
      // other two.
      await this.deviceLists.recordIn(tx, userId, []);
      if (fresh.some((entry) => entry.type !== "user_signing")) await this.updates.announceIn(tx, userId);
    });
    return {};
  }

  /**
   * The cross-signing keys of `userIds` that are stored here (local users, and remote users whose keys came
   * in EDUs): master and self-signing keys of each, the user-signing key only of `requesterId` themself. The
   * master keys carry the signatures `requesterId` made of them (by their user-signing key, or for their own
   * by their devices), as Synapse shows them; without a requester (a federation query) none are added.
   */
  async keysOf(userIds: readonly string[], requesterId: string | undefined): Promise<CrossSigningKeysOfUsers> {
    const result: CrossSigningKeysOfUsers = { master_keys: {}, self_signing_keys: {}, user_signing_keys: {} };
    const stored = await readStoredKeys(this.store, this.core.db, userIds);
    const masters = new Map<string, ParsedCrossSigningKey>();
    for (const [userId, byType] of stored) {
      const master = byType.get("master");
      const selfSigning = byType.get("self_signing");
      const userSigning = byType.get("user_signing");
      if (master) masters.set(userId, master.parsed);
      if (selfSigning) setOwn(result.self_signing_keys, userId, selfSigning.parsed.key);
      if (userSigning && userId === requesterId) setOwn(result.user_signing_keys, userId, userSigning.parsed.key);
    }
    assignOwn(result.master_keys, await this.mastersSeenBy(masters, requesterId));
    return result;
  }

  /** Master keys another server sent us, with the signatures `requesterId` made of them here. */
  async withSignaturesBy(requesterId: string, masterKeys: CrossSigningKeysByUser): Promise<CrossSigningKeysByUser> {
    const masters = new Map<string, ParsedCrossSigningKey>();
    for (const [userId, key] of Object.entries(masterKeys)) {
      const parsed = parseCrossSigningKey(key, userId, "master");
      if (parsed) masters.set(userId, parsed);
    }
    return { ...masterKeys, ...(await this.mastersSeenBy(masters, requesterId)) };
  }

  private async mastersSeenBy(masters: Map<string, ParsedCrossSigningKey>, requesterId: string | undefined): Promise<CrossSigningKeysByUser> {
    const result: CrossSigningKeysByUser = {};
    const signatures =
      requesterId === undefined || masters.size === 0
        ? []
        : await this.store.signaturesOn(this.core.db, [...masters].map(([userId, master]) => ({ userId, keyId: master.keyName })), requesterId);
    for (const [userId, master] of masters) {
      const own = signatures.filter((s) => s.targetUserId === userId && s.targetKeyId === master.keyName);
      setOwn(result, userId, withSignatures(master.key, own));
    }
    return result;
  }

  private async storedOf(executor: Parameters<CrossSigningStore["keysOf"]>[0], userId: string): Promise<Map<CrossSigningKeyType, StoredKey>> {
    return (await readStoredKeys(this.store, executor, [userId])).get(userId) ?? new Map();
  }

  /** Whether the upload holds a key that is not stored exactly as sent. */
  private changes(upload: Upload, stored: Map<CrossSigningKeyType, StoredKey>): boolean {
    return upload.some((entry) => entry.json !== stored.get(entry.type)?.json);
  }

  /**
   * The shape of each key (400 M_INVALID_PARAM), a master key to sign the others with (400 M_MISSING_PARAM
   * when there is none), and their signatures by it (400 M_INVALID_SIGNATURE).
   */
  private check(userId: string, upload: Upload, stored: Map<CrossSigningKeyType, StoredKey>): void {
    const parsed = new Map(upload.map((entry) => [entry.type, checkCrossSigningKey(entry.key, userId, entry.type)]));
    const master = parsed.get("master") ?? stored.get("master")?.parsed;
    if (!master) throw errors.missingParam("No master key available");
    for (const type of ["self_signing", "user_signing"] as const) {
      const key = parsed.get(type);
      if (key && !isSignedBy(key.key, userId, master)) throw invalidSignature(`Invalid signature on ${type} key`);
    }
  }

  /** The spec's 403: a signature names its key as a device would be named, so the two must not share an id. */
  private async refuseDeviceIds(tx: Tx, userId: string, fresh: Upload): Promise<void> {
    const names = fresh.map((entry) => checkCrossSigningKey(entry.key, userId, entry.type).keyName);
    if ((await this.store.existingDevices(tx, userId, names)).length > 0) throw errors.forbidden("Key ID in use");
  }
}
