import type { CoreContext } from "../../app/core-context.js";
import type { ServerKeys } from "../../federation-keys/server-keys.js";
import type { EventPersister } from "../persist-events.js";
import type { RoomService } from "../room-service.js";
import { FederationReads } from "./federation-reads.js";
import { RemoteEventIngest } from "./ingest-events.js";
import { RemoteJoin } from "./remote-join.js";
import type { RemoteMembership, RemoteServers } from "./remote-servers.js";
import { ServeMembership } from "./serve-membership.js";

export type { RemoteMembership, RemoteServers } from "./remote-servers.js";

/** The rooms core as seen from other servers, and our users' joins of rooms that live elsewhere. */
export interface FederationRooms {
  ingest: RemoteEventIngest;
  reads: FederationReads;
  membership: ServeMembership;
  remoteJoin: RemoteJoin;
}

export function createFederationRooms(
  core: CoreContext,
  persister: EventPersister,
  rooms: RoomService,
  keys: ServerKeys,
  remote: RemoteServers & RemoteMembership,
): FederationRooms {
  const ingest = new RemoteEventIngest(core, persister, keys, remote);
  const reads = new FederationReads(core, persister);
  return {
    ingest,
    reads,
    membership: new ServeMembership(core, persister, reads, ingest, keys),
    remoteJoin: new RemoteJoin(core, persister, ingest, remote, rooms.memberContent),
  };
}
