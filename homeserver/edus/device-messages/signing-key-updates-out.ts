import type { CoreContext } from "../../core/core-context.js";
import type { Tx } from "../../storage/database.js";
import type { FederationOutboxStore } from "../../storage/stores/federation-outbox-store.js";
import { SIGNING_KEY_UPDATE, type SigningKeyFederation } from "../../users/e2e-keys/cross-signing/signing-key-updates.js";
import { parseUserId } from "../../users/user-ids.js";
import type { DurableEduQueue } from "./durable-edus.js";

/**
 * Outgoing m.signing_key_update: a local user's new master or self-signing key goes durably, in the transaction
 * that stored it, to every server sharing a room with them (the servers are read in that transaction too, so a
 * join committed before it is counted). Queued behind the user's earlier device list updates and before the
 * signatures by the new key that follow, so a receiver learns the keys before the devices they sign.
 */
export class SigningKeyUpdatesOut implements SigningKeyFederation {
  constructor(
    private readonly core: Pick<CoreContext, "serverName">,
    private readonly store: Pick<FederationOutboxStore, "serversSharingRoomsWith">,
    private readonly outbox: DurableEduQueue,
  ) {}

  async changed(tx: Tx, userId: string, content: Record<string, unknown>): Promise<void> {
    if (parseUserId(userId)?.serverName !== this.core.serverName) return;
    const destinations = await this.store.serversSharingRoomsWith(tx, userId, this.core.serverName);
    if (destinations.length === 0) return;
    const edu = { edu_type: SIGNING_KEY_UPDATE, content };
    await this.outbox.enqueue(tx, destinations.map((destination) => ({ destination, edu })));
  }
}
