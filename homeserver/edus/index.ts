import type { CoreContext } from "../app/core-context.js";
import type { RoomServices } from "../rooms/index.js";
import type { SyncServices } from "../sync/index.js";
import type { UserServices } from "../users/index.js";
import { EduDispatcher } from "./edu-dispatcher.js";
import { EduOutbox } from "./edu-outbox.js";
import { createReceipts, type ReceiptsService } from "./receipts/index.js";
import { createTyping, type TypingService } from "./typing/index.js";
import { createPresence, type PresenceService } from "./presence/index.js";

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
  /** Stops the timers (typing expiry, presence sweep) when the app shuts down. */
  stop(): void;
}

export interface EduDeps {
  rooms: RoomServices;
  sync: SyncServices;
  /** Account data, for the fully read marker. */
  users: Pick<UserServices, "accountData">;
}

/**
 * Builds the EDU services and plugs them into sync (sync.ephemeral) and federation (dispatcher, outbox).
 */
export async function createEduServices(core: CoreContext, deps: EduDeps): Promise<EduServices> {
  void deps;
  const outbox = new EduOutbox();
  const dispatcher = new EduDispatcher(core.logger);
  const receipts = createReceipts(core, { ...deps, outbox });
  deps.sync.ephemeral.addRoomSource(receipts.syncSource);
  dispatcher.register("m.receipt", receipts.onEdu);
  const presence = createPresence(core, { ...deps, outbox });
  deps.sync.ephemeral.setPresence(presence.syncSource);
  dispatcher.register("m.presence", presence.onEdu);
  presence.service.start();
  const stopOnJoin = presence.startOnJoin();
  const typing = createTyping(core, { ...deps, outbox, presence: presence.service });
  deps.sync.ephemeral.addRoomSource(typing.syncSource);
  dispatcher.register("m.typing", typing.onEdu);
  const stop = () => {
    stopOnJoin();
    typing.service.stop();
    presence.service.stop();
  };
  return { outbox, dispatcher, receipts: receipts.service, typing: typing.service, presence: presence.service, stop };
}
