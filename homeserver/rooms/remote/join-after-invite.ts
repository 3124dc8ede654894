import type { CoreContext } from "../../core/core-context.js";
import type { JsonObject } from "../../events/pdu.js";
import type { Requester } from "../../users/requester.js";
import type { EventPersister } from "../persist/event-persister.js";
import type { Stores } from "../../storage/stores/stores.js";
import type { RemoteEventIngest } from "./ingest-events.js";
import type { ReceiveInvite } from "./receive-invite.js";
import { RemoteJoin } from "./remote-join.js";
import type { RemoteMembership } from "./remote-servers.js";

const serverOf = (userId: string) => userId.slice(userId.indexOf(":") + 1);

/**
 * A remote join that knows about pending invites (receive-invite.ts): the inviting server is tried first,
 * as the spec suggests (the room id of v12 rooms names no server), and the pending invite rows of the room
 * are withdrawn for the duration of the join, so that the joined room's timeline starts at the join with its
 * full state. If the join fails they are put back, and the invitee's syncs show the invite again.
 */
export class InviteAwareRemoteJoin extends RemoteJoin {
  private readonly ourServer: string;

  constructor(
    core: CoreContext,
    persister: EventPersister,
    stores: Stores,
    ingest: RemoteEventIngest,
    remote: RemoteMembership,
    memberContent: (userId: string, membership: string) => Promise<JsonObject>,
    private readonly invites: ReceiveInvite,
  ) {
    super(core, persister, stores, ingest, remote, memberContent);
    this.ourServer = core.serverName;
  }

  override async join(requester: Requester, roomId: string, servers: string[], clientContent: JsonObject = {}): Promise<string> {
    const pending = await this.invites.pending(roomId);
    const inviters = pending
      .filter((row) => row.pdu.state_key === requester.userId && row.pdu.content.membership === "invite")
      .map((invite) => serverOf(invite.pdu.sender))
      .filter((server) => server !== this.ourServer);
    const candidates = [...new Set([...inviters, ...servers])];
    if (pending.length === 0) return super.join(requester, roomId, candidates, clientContent);
    await this.invites.withdraw(pending);
    try {
      return await super.join(requester, roomId, candidates, clientContent);
    } catch (error) {
      await this.invites.restore(pending);
      throw error;
    }
  }
}
