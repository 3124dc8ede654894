import type { CoreContext } from "../../core/core-context.js";
import { errors, isMatrixError } from "../../errors.js";
import type { JsonObject } from "../../events/pdu.js";
import { getRoomVersion, KNOWN_ROOM_VERSIONS } from "../../events/room-versions.js";
import type { StrippedStateEvent } from "../read-formatting.js";
import type { Requester } from "../../users/requester.js";
import { completeTemplate } from "./complete-template.js";
import { toWirePdu } from "./federation-reads.js";
import type { ReceiveInvite } from "./receive-invite.js";
import type { RemoteMembership } from "./remote-servers.js";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A local user knocks on a room that lives on other servers: make_knock, sign, send_knock (spec: "Knocking"). */
export class RemoteKnock {
  constructor(
    private readonly core: CoreContext,
    private readonly remote: RemoteMembership,
    private readonly pending: ReceiveInvite,
  ) {}

  async knock(requester: Requester, roomId: string, servers: string[], reason?: string): Promise<string> {
    const candidates = [...new Set(servers)].filter((s) => s !== this.core.serverName);
    if (candidates.length === 0) throw errors.notFound("No known servers to knock through");
    let lastError: unknown;
    for (const server of candidates) {
      try {
        const template = await this.remote.makeKnock(server, roomId, requester.userId, [...KNOWN_ROOM_VERSIONS]);
        const version = getRoomVersion(template.roomVersion);
        if (!version) throw errors.unsupportedRoomVersion(template.roomVersion);
        if (!version.knocking) throw errors.forbidden(`Room version ${version.id} does not allow knocking`);
        const content: JsonObject = { membership: "knock" };
        if (reason !== undefined) content.reason = reason;
        const knock = completeTemplate(template.event, version, this.core.serverName, this.core.signingKey, this.core.clock.now(), content);
        if (knock.room_id !== roomId || knock.sender !== requester.userId || knock.state_key !== requester.userId) {
          throw errors.unknown("The resident server's knock template is not for this user and room", 502);
        }
        const { knockRoomState } = await this.remote.sendKnock(server, roomId, knock.event_id, toWirePdu(knock, version));
        await this.pending.keepPendingKnock(roomId, knock, knockRoomState.filter(isObject).map(stripped));
        return roomId;
      } catch (error) {
        lastError = error;
        if (isMatrixError(error) && error.status === 403) break;
      }
    }
    if (isMatrixError(lastError)) throw lastError;
    throw errors.unknown(`Failed to knock: ${(lastError as Error)?.message ?? "no server answered"}`, 502);
  }
}

/** Servers send full PDUs in knock_room_state (v1.16+) or stripped events; clients get stripped ones. */
function stripped(event: Record<string, unknown>): StrippedStateEvent {
  return {
    type: String(event.type),
    state_key: String(event.state_key ?? ""),
    sender: String(event.sender),
    content: (isObject(event.content) ? event.content : {}) as StrippedStateEvent["content"],
  };
}
