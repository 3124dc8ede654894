import { DeviceListsStore } from "./device-lists-store.js";
import type { Db } from "../database.js";
import { AccountDataStore } from "./account-data-store.js";
import { AliasesStore } from "./aliases-store.js";
import { CurrentStateReadsStore } from "./current-state-reads-store.js";
import { CrossSigningStore } from "./cross-signing-store.js";
import { DestinationsStore } from "./destinations-store.js";
import { DeviceStore } from "./device-store.js";
import { E2eKeysStore } from "./e2e-keys-store.js";
import { EventSearchStore } from "./event-search-store.js";
import { EventsStore } from "./events-store.js";
import { FederationOutboxStore } from "./federation-outbox-store.js";
import { FilterStore } from "./filter-store.js";
import { InboundTxnsStore } from "./inbound-txns-store.js";
import { KeyBackupStore } from "./key-backup-store.js";
import { MediaStore } from "./media-store.js";
import { MessageAppendStore } from "./message-append-store.js";
import { OpenIdTokenStore } from "./openid-token-store.js";
import { PushActionsStore } from "./push-actions-store.js";
import { PushersStore } from "./pushers-store.js";
import { ReceiptsStore } from "./receipts-store.js";
import { ReportsStore } from "./reports-store.js";
import { RegistrationTokenStore } from "./registration-token-store.js";
import { RelationsStore } from "./relations-store.js";
import { RoomsStore } from "./rooms-store.js";
import { ServerKeysStore } from "./server-keys-store.js";
import { StateAtStore } from "./state-at-store.js";
import { StateStore } from "./state-store.js";
import { TimelineStore } from "./timeline-store.js";
import { TimestampLookupStore } from "./timestamp-lookup-store.js";
import { ToDeviceStore } from "./to-device-store.js";
import { TokenStore } from "./token-store.js";
import { TxnStore } from "./txn-store.js";
import { UserStore } from "./user-store.js";
import { UserDirectoryStore } from "./user-directory-store.js";
import { UrlPreviewStore } from "./url-preview-store.js";
import { UiaSessionsStore } from "./uia-sessions-store.js";
import { RemoteDeviceListsStore } from "./remote-device-lists-store.js";
import { DurableEduExpiryStore } from "./durable-edu-expiry-store.js";

/**
 * Every store, made once by app/ and handed to each service as
 * the few stores it uses: no service builds its own or exposes another's.
 */
export interface Stores {
  accountData: AccountDataStore;
  aliases: AliasesStore;
  currentState: CurrentStateReadsStore;
  crossSigning: CrossSigningStore;
  destinations: DestinationsStore;
  devices: DeviceStore;
  e2eKeys: E2eKeysStore;
  deviceLists: DeviceListsStore;
  events: EventsStore;
  eventSearch: EventSearchStore;
  /** Durable EDUs for other servers, and the device list and to-device bookkeeping of federation. */
  federationOutbox: FederationOutboxStore;
  filters: FilterStore;
  inboundTxns: InboundTxnsStore;
  keyBackup: KeyBackupStore;
  /** The media repository's metadata (files are kept by homeserver/media/). */
  media: MediaStore;
  messages: MessageAppendStore;
  openidTokens: OpenIdTokenStore;
  pushActions: PushActionsStore;
  /** Pushers (POST /pushers/set) and their delivery loops' cursors. */
  pushers: PushersStore;
  receipts: ReceiptsStore;
  reports: ReportsStore;
  registrationTokens: RegistrationTokenStore;
  relations: RelationsStore;
  rooms: RoomsStore;
  serverKeys: ServerKeysStore;
  stateAt: StateAtStore;
  state: StateStore;
  timeline: TimelineStore;
  timestamps: TimestampLookupStore;
  toDevice: ToDeviceStore;
  tokens: TokenStore;
  txns: TxnStore;
  users: UserStore;
  userDirectory: UserDirectoryStore;
  /** Successful URL previews, shared by every process (homeserver/media/preview/). */
  urlPreviews: UrlPreviewStore;
  /** User-interactive auth sessions, shared by every process (homeserver/users/uia.ts). */
  uiaSessions: UiaSessionsStore;
  /** The cached device lists of remote users we share a room with (homeserver/users/device-lists/). */
  remoteDeviceLists: RemoteDeviceListsStore;
  /** Expiry of durable EDUs a destination never took (federation/sender/durable-edu-outbox.ts). */
  durableEduExpiry: DurableEduExpiryStore;
}

export function createStores(db: Db): Stores {
  return {
    accountData: new AccountDataStore(db),
    aliases: new AliasesStore(db),
    currentState: new CurrentStateReadsStore(db),
    crossSigning: new CrossSigningStore(db),
    destinations: new DestinationsStore(db),
    devices: new DeviceStore(db),
    e2eKeys: new E2eKeysStore(db),
    deviceLists: new DeviceListsStore(db),
    events: new EventsStore(db),
    eventSearch: new EventSearchStore(db),
    federationOutbox: new FederationOutboxStore(db),
    filters: new FilterStore(db),
    inboundTxns: new InboundTxnsStore(db),
    keyBackup: new KeyBackupStore(db),
    media: new MediaStore(db),
    messages: new MessageAppendStore(db),
    openidTokens: new OpenIdTokenStore(db),
    pushActions: new PushActionsStore(db),
    pushers: new PushersStore(db),
    receipts: new ReceiptsStore(db),
    reports: new ReportsStore(db),
    registrationTokens: new RegistrationTokenStore(db),
    relations: new RelationsStore(db),
    rooms: new RoomsStore(db),
    serverKeys: new ServerKeysStore(db),
    stateAt: new StateAtStore(db),
    state: new StateStore(db),
    timeline: new TimelineStore(db),
    timestamps: new TimestampLookupStore(db),
    toDevice: new ToDeviceStore(db),
    tokens: new TokenStore(db),
    txns: new TxnStore(db),
    users: new UserStore(db),
    userDirectory: new UserDirectoryStore(db),
    urlPreviews: new UrlPreviewStore(db),
    uiaSessions: new UiaSessionsStore(db),
    remoteDeviceLists: new RemoteDeviceListsStore(db),
    durableEduExpiry: new DurableEduExpiryStore(db),
  };
}
