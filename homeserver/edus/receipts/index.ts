import type { CoreContext } from "../../app/core-context.js";
import type { RoomServices } from "../../rooms/index.js";
import { ReceiptsStore } from "../../storage/stores/receipts-store.js";
import type { SyncServices } from "../../sync/index.js";
import type { UserServices } from "../../users/index.js";
import type { EduHandler, FederationOutbox, RoomEphemeralSource } from "../edu-contracts.js";
import { FullyReadMarkers } from "./fully-read-markers.js";
import { ReceiptTargets } from "./receipt-target.js";
import { ReceiptsEdu } from "./receipts-edu.js";
import { ReceiptsService } from "./receipts-service.js";
import { ReceiptsSyncSource } from "./receipts-sync-source.js";
import { RecentReceipts } from "./recent-receipts.js";

export { ReceiptsService, type ReadMarkers } from "./receipts-service.js";

export interface ReceiptsDeps {
  rooms: Pick<RoomServices, "persister">;
  sync: Pick<SyncServices, "reads">;
  users: Pick<UserServices, "accountData">;
  outbox: FederationOutbox;
}

export interface Receipts {
  service: ReceiptsService;
  /** For sync.ephemeral.addRoomSource. */
  syncSource: RoomEphemeralSource;
  /** For dispatcher.register("m.receipt", ...). */
  onEdu: EduHandler;
}

export function createReceipts(core: CoreContext, deps: ReceiptsDeps): Receipts {
  const store = new ReceiptsStore(core.db);
  const recent = new RecentReceipts(core.streams.receipts.current);
  const events = deps.sync.reads.reader.events;
  const edu = new ReceiptsEdu(core, deps.rooms.persister, events, deps.outbox);
  const service = new ReceiptsService(
    core,
    store,
    recent,
    new ReceiptTargets(deps.sync.reads),
    new FullyReadMarkers(deps.users.accountData, events),
    edu,
  );
  edu.attach(service);
  return { service, syncSource: new ReceiptsSyncSource(store, recent), onEdu: (origin, content) => edu.receive(origin, content) };
}
