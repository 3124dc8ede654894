import type { CoreContext } from "../../../core/core-context.js";
import { canonicalJson } from "../../../crypto/canonical-json.js";
import type { CrossSigningKeyType, CrossSigningStore } from "../../../storage/stores/cross-signing-store.js";
import type { DeviceListChanges } from "../../device-lists/device-list-changes.js";
import { parseUserId } from "../../user-ids.js";
import { isSignedBy, parseCrossSigningKey, type ParsedCrossSigningKey } from "./cross-signing-keys.js";
import { readStoredKeys } from "./stored-keys.js";

export const SIGNING_KEY_UPDATE = "m.signing_key_update";

/**
 * Where EDUs for other servers go: the EDU outbox (homeserver/edus/), which users/ does not import; app/ wires
 * it. A newer EDU with the same key replaces one not sent yet.
 */
export interface SigningKeyOutbox {
  sendEdu(destinations: Iterable<string>, edu: { edu_type: string; content: Record<string, unknown> }, key?: string): void;
}

/**
 * The m.signing_key_update EDU: {user_id, master_key?, self_signing_key?}. Out: a local user's master and
 * self-signing keys (the user-signing key stays private), to every server sharing a room with them, after
 * each change; it carries both current keys, so the newest replaces an unsent one. In: an origin's keys for
 * its own users, kept (as Synapse does) only for users joined to a room here, and a device-list change of
 * the user, so their room-mates' clients fetch the new keys.
 */
export class SigningKeyUpdates {
  private outbox: SigningKeyOutbox | undefined;

  constructor(
    private readonly core: Pick<CoreContext, "serverName" | "database" | "db" | "clock" | "logger">,
    private readonly store: Pick<CrossSigningStore, "lockUser" | "keysOf" | "putKey" | "serversSharingRoomWith" | "isJoinedAnywhere">,
    private readonly deviceLists: Pick<DeviceListChanges, "recordIn">,
  ) {}

  /** The EDU outbox is built after the users' services; until then (and in tests without it) nothing goes out. */
  useOutbox(outbox: SigningKeyOutbox): void {
    this.outbox = outbox;
  }

  /** Tells the servers that share a room with `userId` of their current keys. Best effort: logged on failure. */
  async announce(userId: string): Promise<void> {
    if (!this.outbox) return;
    try {
      const servers = await this.store.serversSharingRoomWith(userId, this.core.serverName);
      if (servers.length === 0) return;
      const keys = (await readStoredKeys(this.store, this.core.db, [userId])).get(userId);
      const content: Record<string, unknown> = { user_id: userId };
      const master = keys?.get("master");
      const selfSigning = keys?.get("self_signing");
      if (master) content.master_key = master.parsed.key;
      if (selfSigning) content.self_signing_key = selfSigning.parsed.key;
      this.outbox.sendEdu(servers, { edu_type: SIGNING_KEY_UPDATE, content }, `${SIGNING_KEY_UPDATE}\u0000${userId}`);
    } catch (error) {
      this.core.logger.warn({ err: error, userId }, "could not send a signing key update");
    }
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
