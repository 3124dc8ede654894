import type { CoreContext } from "../../../core/core-context.js";
import { canonicalJson } from "../../../crypto/canonical-json.js";
import type { Tx } from "../../../storage/database.js";
import type { CrossSigningKeyType, CrossSigningStore } from "../../../storage/stores/cross-signing-store.js";
import type { DeviceListChanges } from "../../device-lists/device-list-changes.js";
import { parseUserId } from "../../user-ids.js";
import { isSignedBy, parseCrossSigningKey, type ParsedCrossSigningKey } from "./cross-signing-keys.js";
import { readStoredKeys } from "./stored-keys.js";

export const SIGNING_KEY_UPDATE = "m.signing_key_update";

/**
 * What a change of a local user's master or self-signing key owes other servers (edus/device-messages/
 * implements and plugs it in, over the durable EDU outbox, which users/ does not import): `content`, the
 * m.signing_key_update, to every server sharing a room with the user, queued in `tx`, the transaction of the
 * change. Durable as device list updates are: a peer that is down, or our restart before it is back, must not
 * leave its users trusting the old keys.
 */
export interface SigningKeyFederation {
  changed(tx: Tx, userId: string, content: Record<string, unknown>): Promise<void>;
}

/**
 * The m.signing_key_update EDU: {user_id, master_key?, self_signing_key?}. Out: a local user's master and
 * self-signing keys (the user-signing key stays private), to every server sharing a room with them, with
 * each change; it carries both current keys. In: an origin's keys for its own users, kept (as Synapse does)
 * only for users joined to a room here, and a device-list change of the user, so their room-mates' clients
 * fetch the new keys.
 */
export class SigningKeyUpdates {
  private federation: SigningKeyFederation | undefined;

  constructor(
    private readonly core: Pick<CoreContext, "serverName" | "database" | "db" | "clock" | "logger">,
    private readonly store: Pick<CrossSigningStore, "lockUser" | "keysOf" | "putKey" | "isJoinedAnywhere">,
    private readonly deviceLists: Pick<DeviceListChanges, "recordIn">,
  ) {}

  /** Device federation is built after the users' services; until then (and in tests without it) nothing goes out. */
  useFederation(federation: SigningKeyFederation): void {
    this.federation = federation;
  }

  /** Queues, in `tx` (which changed them), the EDU telling other servers of `userId`'s current keys. */
  async announceIn(tx: Tx, userId: string): Promise<void> {
    if (!this.federation) return;
    const keys = (await readStoredKeys(this.store, tx, [userId])).get(userId);
    const content: Record<string, unknown> = { user_id: userId };
    const master = keys?.get("master");
    const selfSigning = keys?.get("self_signing");
    if (master) content.master_key = master.parsed.key;
    if (selfSigning) content.self_signing_key = selfSigning.parsed.key;
    await this.federation.changed(tx, userId, content);
  }

  /** The EduHandler: throws (the EDU is refused, the transaction goes on) for what it does not keep. */
  async receive(origin: string, content: Record<string, unknown>): Promise<void> {
    const userId = content.user_id;
    if (typeof userId !== "string" || parseUserId(userId)?.serverName !== origin) {
      throw new Error(`${SIGNING_KEY_UPDATE} from ${origin} is not about one of its users`);
    }
    if (!(await this.store.isJoinedAnywhere(userId))) return;
    const master = content.master_key === undefined ? undefined : parseCrossSigningKey(content.master_key, userId, "master");
    const selfSigning = content.self_signing_key === undefined ? undefined : parseCrossSigningKey(content.self_signing_key, userId, "self_signing");
    if ((content.master_key !== undefined && !master) || (content.self_signing_key !== undefined && !selfSigning)) {
      throw new Error(`${SIGNING_KEY_UPDATE} from ${origin} for ${userId} holds a malformed key`);
    }
    await this.core.database.transaction(async (tx) => {
      await this.store.lockUser(tx, userId);
      const stored = (await readStoredKeys(this.store, tx, [userId])).get(userId);
      const signer = master ?? stored?.get("master")?.parsed;
      // Kept only if its master key signed it: the user's clients would not trust it otherwise either.
      if (selfSigning && (!signer || !isSignedBy(selfSigning.key, userId, signer))) {
        throw new Error(`${SIGNING_KEY_UPDATE} from ${origin}: ${userId}'s self-signing key is not signed by their master key`);
      }
      const changed: Array<[CrossSigningKeyType, ParsedCrossSigningKey]> = [];
      for (const [type, key] of [["master", master], ["self_signing", selfSigning]] as const) {
        if (key && canonicalJson(key.key) !== stored?.get(type)?.json) changed.push([type, key]);
      }
      for (const [keyType, key] of changed) await this.store.putKey(tx, { userId, keyType, keyJson: canonicalJson(key.key) }, this.core.clock.now());
      if (changed.length > 0) await this.deviceLists.recordIn(tx, userId, []);
    });
  }
}
