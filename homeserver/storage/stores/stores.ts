import type { Db } from "../database.js";
import { AccountDataStore } from "./account-data-store.js";
import { AliasesStore } from "./aliases-store.js";
import { CurrentStateReadsStore } from "./current-state-reads-store.js";
import { DestinationsStore } from "./destinations-store.js";
import { DeviceStore } from "./device-store.js";
import { EventsStore } from "./events-store.js";
import { FilterStore } from "./filter-store.js";
import { InboundTxnsStore } from "./inbound-txns-store.js";
import { MessageAppendStore } from "./message-append-store.js";
import { PushActionsStore } from "./push-actions-store.js";
import { ReceiptsStore } from "./receipts-store.js";
import { RegistrationTokenStore } from "./registration-token-store.js";
import { RoomsStore } from "./rooms-store.js";
import { ServerKeysStore } from "./server-keys-store.js";
import { StateAtStore } from "./state-at-store.js";
import { StateStore } from "./state-store.js";
import { TimelineStore } from "./timeline-store.js";
import { TokenStore } from "./token-store.js";
import { TxnStore } from "./txn-store.js";
import { UserStore } from "./user-store.js";

/**
 * Every store, made once by app/ and handed to each service as
 * the few stores it uses: no service builds its own or exposes another's.
 */
export interface Stores {
  accountData: AccountDataStore;
  aliases: AliasesStore;
  currentState: CurrentStateReadsStore;
  destinations: DestinationsStore;
  devices: DeviceStore;
  events: EventsStore;
  filters: FilterStore;
  inboundTxns: InboundTxnsStore;
  messages: MessageAppendStore;
  pushActions: PushActionsStore;
  receipts: ReceiptsStore;
  registrationTokens: RegistrationTokenStore;
  rooms: RoomsStore;
  serverKeys: ServerKeysStore;
  stateAt: StateAtStore;
  state: StateStore;
  timeline: TimelineStore;
  tokens: TokenStore;
  txns: TxnStore;
  users: UserStore;
}

export function createStores(db: Db): Stores {
  return {
    accountData: new AccountDataStore(db),
    aliases: new AliasesStore(db),
    currentState: new CurrentStateReadsStore(db),
    destinations: new DestinationsStore(db),
    devices: new DeviceStore(db),
    events: new EventsStore(db),
    filters: new FilterStore(db),
    inboundTxns: new InboundTxnsStore(db),
    messages: new MessageAppendStore(db),
    pushActions: new PushActionsStore(db),
    receipts: new ReceiptsStore(db),
    registrationTokens: new RegistrationTokenStore(db),
    rooms: new RoomsStore(db),
    serverKeys: new ServerKeysStore(db),
    stateAt: new StateAtStore(db),
    state: new StateStore(db),
    timeline: new TimelineStore(db),
    tokens: new TokenStore(db),
    txns: new TxnStore(db),
    users: new UserStore(db),
  };
}
