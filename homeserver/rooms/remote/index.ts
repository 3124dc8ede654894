import type { Stores } from "../../storage/stores/stores.js";
import type { CoreContext } from "../../core/core-context.js";
import type { ServerKeys } from "../../federation-keys/server-keys.js";
import type { EventPersister } from "../persist/event-persister.js";
import type { RoomService } from "../room-service.js";
import { FederationReads } from "./federation-reads.js";
import { InboundTransactions, type InboundEdus } from "./inbound-transactions.js";
import { RemoteEventIngest } from "./ingest-events.js";
import { InviteAwareRemoteJoin } from "./join-after-invite.js";
import { ReceiveInvite } from "./receive-invite.js";
import { RejectRemoteInvite } from "./reject-invite.js";
import { RemoteJoin } from "./remote-join.js";
import type { RemoteMembership, RemoteServers } from "./remote-servers.js";
import { ServeKnock } from "./serve-knock.js";
import { ServeMembership } from "./serve-membership.js";
import { SendRemoteInvite } from "./send-remote-invite.js";
import { Backfiller } from "./backfill.js";
import { RemoteKnock } from "./remote-knock.js";
import { ServerAcls } from "./server-acl.js";

export type { RemoteMembership, RemoteServers } from "./remote-servers.js";
export type { InboundTransaction, TransactionResult } from "./inbound-transactions.js";
export type { InviteRequest } from "./receive-invite.js";
export { toWirePdu } from "./federation-reads.js";

/** The rooms core as seen from other servers, and our users' joins of rooms that live elsewhere. */
export interface FederationRooms {
  ingest: RemoteEventIngest;
  reads: FederationReads;
  membership: ServeMembership;
  remoteJoin: RemoteJoin;
  /** PUT /send: transactions of PDUs and EDUs from other servers, de-duplicated. */
  transactions: InboundTransactions;
  /** Rooms' m.room.server_acl, enforced on requests from other servers. */
  acls: ServerAcls;
  /** PUT /invite: invites of our users into rooms on other servers. */
  invites: ReceiveInvite;
  /** make_knock / send_knock on the resident side. */
  knocks: ServeKnock;
  /** `remoteJoin` plus pending invites: tries the inviter first and withdraws the invite rows while joining. */
  invitedJoin: RemoteJoin;
  /** Rejecting a pending invite (make_leave / send_leave through the inviting server). */
  inviteRejection: RejectRemoteInvite;
  /** Inviting users of other servers (their server countersigns first). */
  remoteInvites: SendRemoteInvite;
  /** History before our oldest event, from servers in the room, for /messages. */
  backfill: Backfiller;
  /** Our users' knocks on rooms other servers hold. */
  remoteKnock: RemoteKnock;
}

export function createFederationRooms(
  core: CoreContext,
  persister: EventPersister,
  stores: Stores,
  rooms: RoomService,
  keys: ServerKeys,
  remote: RemoteServers & RemoteMembership,
  edus: InboundEdus,
): FederationRooms {
  const ingest = new RemoteEventIngest(core, persister, stores, keys, remote);
  const reads = new FederationReads(core, persister, stores);
  const membership = new ServeMembership(core, persister, stores, reads, ingest, keys);
  const acls = new ServerAcls(persister);
  const invites = new ReceiveInvite(core, persister, stores, keys, acls);
  return {
    ingest,
    reads,
    membership,
    remoteJoin: new RemoteJoin(core, persister, stores, ingest, remote, rooms.memberContent),
    transactions: new InboundTransactions(core, persister, stores, ingest, acls, edus),
    acls,
    invites,
    knocks: new ServeKnock(persister, membership),
    invitedJoin: new InviteAwareRemoteJoin(core, persister, stores, ingest, remote, rooms.memberContent, invites),
    inviteRejection: new RejectRemoteInvite(core, remote, invites),
    remoteInvites: new SendRemoteInvite(remote),
    backfill: new Backfiller(core, persister, stores, ingest, keys, remote),
    remoteKnock: new RemoteKnock(core, remote, invites),
  };
}
