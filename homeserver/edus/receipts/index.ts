import type { Stores } from "../../storage/stores/stores.js";
import type { CoreContext } from "../../core/core-context.js";
import type { RoomServices } from "../../rooms/index.js";
import type { RoomReads } from "../../rooms/room-reads.js";
import type { UserServices } from "../../users/index.js";
import type { EduHandler, FederationOutbox } from "../edu-contracts.js";
import type { RoomEphemeralSource } from "../sync-sources.js";
import { FullyReadMarkers } from "./fully-read-markers.js";
import { ReceiptTargets } from "./receipt-target.js";
import { ReceiptsEdu } from "./receipts-edu.js";
import { ReceiptsService } from "./receipts-service.js";
import { ReceiptsSyncSource } from "./receipts-sync-source.js";
import { RecentReceipts } from "./recent-receipts.js";

export { ReceiptsService, type ReadMarkers } from "./receipts-service.js";

export interface ReceiptsDeps {
  rooms: Pick<RoomServices, "persister">;
  reads: RoomReads;
  users: Pick<UserServices, "accountData">;
  outbox: FederationOutbox;
  stores: Pick<Stores, "receipts">;
}

export interface Receipts {
  service: ReceiptsService;
  /** What sync's receipts provider reads. */
  syncSource: RoomEphemeralSource;
  /** For dispatcher.register("m.receipt", ...). */
  onEdu: EduHandler;
}

export function createReceipts(core: CoreContext, deps: ReceiptsDeps): Receipts {
  const store = deps.stores.receipts;
  const recent = new RecentReceipts(core.streams.receipts.current);
  const events = deps.reads.reader.events;
  const edu = new ReceiptsEdu(core, deps.rooms.persister, events, deps.outbox);
  const service = new ReceiptsService(
    core,
    store,
    recent,
    new ReceiptTargets(deps.reads),
    new FullyReadMarkers(deps.users.accountData, events),
    edu,
  );
  edu.attach(service);
  return { service, syncSource: new ReceiptsSyncSource(store, recent), onEdu: (origin, content) => edu.receive(origin, content) };
}
