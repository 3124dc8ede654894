import type { CoreContext } from "../core/core-context.js";
import type { RoomServices } from "../rooms/index.js";
import type { RoomReads } from "../rooms/room-reads.js";
import type { UserServices } from "../users/index.js";
import { EduDispatcher } from "./edu-dispatcher.js";
import { EduOutbox } from "./edu-outbox.js";
import { createReceipts, type ReceiptsService } from "./receipts/index.js";
import { createTyping, type TypingService } from "./typing/index.js";
import { createPresence, type PresenceService } from "./presence/index.js";
import type { EduSyncSources } from "./sync-sources.js";
import type { Stores } from "../storage/stores/stores.js";

/** Ephemeral data: receipts, typing, presence, and the EDUs that carry them between servers. */
export interface EduServices {
  /** Outgoing EDUs; the federation sender attaches itself when it starts. */
  outbox: EduOutbox;
  /** Incoming EDUs by edu_type, for PUT /send. */
  dispatcher: EduDispatcher;
  /** Read receipts and read markers (m.read, m.read.private, m.fully_read). */
  receipts: ReceiptsService;
  /** Typing notifications, in memory with server-side expiry. */
  typing: TypingService;
  /** Presence, in memory with timeouts; shown only to users who share a room. */
  presence: PresenceService;
  /** What sync reads of the EDU streams: receipts and typing per room, presence for the user. */
  syncSources: EduSyncSources;
  /** Stops the timers (typing expiry, presence sweep) when the app shuts down. */
  stop(): void;
}

export interface EduDeps {
  rooms: RoomServices;
  /** The read side of rooms, for receipt targets and the events they point at. */
  reads: RoomReads;
  /** Account data, for the fully read marker; cross-signing, for m.signing_key_update. */
  users: Pick<UserServices, "accountData" | "crossSigning">;
  stores: Pick<Stores, "receipts">;
}

/**
 * Builds the EDU services and plugs them into federation (dispatcher, outbox). Sync is built after them and
 * reads their streams through `syncSources`: the EDUs know nothing of sync.
 */
export async function createEduServices(core: CoreContext, deps: EduDeps): Promise<EduServices> {
  void deps;
  const outbox = new EduOutbox();
  const dispatcher = new EduDispatcher(core.logger);
  const receipts = createReceipts(core, { ...deps, outbox });
  dispatcher.register("m.receipt", receipts.onEdu);
  const presence = createPresence(core, { ...deps, outbox });
  dispatcher.register("m.presence", presence.onEdu);
  presence.service.start();
  const stopOnJoin = presence.startOnJoin();
  const typing = createTyping(core, { ...deps, outbox, presence: presence.service });
  dispatcher.register("m.typing", typing.onEdu);
  dispatcher.register("m.signing_key_update", (origin, content) => deps.users.crossSigning.updates.receive(origin, content));
  const stop = () => {
    stopOnJoin();
    typing.service.stop();
    presence.service.stop();
  };
  const syncSources = { receipts: receipts.syncSource, typing: typing.syncSource, presence: presence.syncSource };
  return { outbox, dispatcher, receipts: receipts.service, typing: typing.service, presence: presence.service, syncSources, stop };
}
