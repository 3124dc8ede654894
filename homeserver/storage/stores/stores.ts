import type { Db } from "../database.js";
import { AliasesStore } from "./aliases-store.js";
import { CurrentStateReadsStore } from "./current-state-reads-store.js";
import { DestinationsStore } from "./destinations-store.js";
import { EventsStore } from "./events-store.js";
import { InboundTxnsStore } from "./inbound-txns-store.js";
import { MessageAppendStore } from "./message-append-store.js";
import { ReceiptsStore } from "./receipts-store.js";
import { RoomsStore } from "./rooms-store.js";
import { ServerKeysStore } from "./server-keys-store.js";
import { StateAtStore } from "./state-at-store.js";
import { StateStore } from "./state-store.js";
import { TimelineStore } from "./timeline-store.js";
import { TxnStore } from "./txn-store.js";

/**
 * Every store of the rooms, events and federation tables, made once by app/ and handed to each service as
 * the few stores it uses: no service builds its own or exposes another's.
 */
export interface Stores {
  aliases: AliasesStore;
  currentState: CurrentStateReadsStore;
  destinations: DestinationsStore;
  events: EventsStore;
  inboundTxns: InboundTxnsStore;
  messages: MessageAppendStore;
  receipts: ReceiptsStore;
  rooms: RoomsStore;
  serverKeys: ServerKeysStore;
  stateAt: StateAtStore;
  state: StateStore;
  timeline: TimelineStore;
  txns: TxnStore;
}

export function createStores(db: Db): Stores {
  return {
    aliases: new AliasesStore(db),
    currentState: new CurrentStateReadsStore(db),
    destinations: new DestinationsStore(db),
    events: new EventsStore(db),
    inboundTxns: new InboundTxnsStore(db),
    messages: new MessageAppendStore(db),
    receipts: new ReceiptsStore(db),
    rooms: new RoomsStore(db),
    serverKeys: new ServerKeysStore(db),
    stateAt: new StateAtStore(db),
    state: new StateStore(db),
    timeline: new TimelineStore(db),
    txns: new TxnStore(db),
  };
}
