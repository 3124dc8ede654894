import type { CoreContext } from "../../core/core-context.js";
import type { Stores } from "../../storage/stores/stores.js";
import { errors, MatrixError } from "../../errors.js";
import { authEventTypesFor, checkEventAuth } from "../../events/auth-rules/index.js";
import type { IdentifiedPdu, JsonObject } from "../../events/pdu.js";
import type { EventPersister } from "../persist/event-persister.js";
import type { FederationReads } from "./federation-reads.js";
import { toWirePdu } from "./federation-reads.js";
import type { RemoteEventIngest } from "./ingest-events.js";
import { checkIncomingPdu } from "./incoming-pdu.js";
import type { ServerKeys } from "../../federation-keys/server-keys.js";
import { computeAuthChain } from "../../state/index.js";
import { loadEventSource } from "./event-source.js";
import { eventReference, eventReferences } from "../event-references.js";

const serverOf = (userId: string) => userId.slice(userId.indexOf(":") + 1);

/**
 * The resident side of joins and leaves by users of other servers: make_join / make_leave hand out a
 * template on top of our current state; send_join / send_leave take the signed event in like any PDU.
 */
export class ServeMembership {
  constructor(
    private readonly core: CoreContext,
    private readonly persister: EventPersister,
    private readonly stores: Stores,
    private readonly reads: FederationReads,
    private readonly ingest: RemoteEventIngest,
    private readonly keys: ServerKeys,
  ) {}

  async makeMembership(origin: string, roomId: string, userId: string, membership: "join" | "leave" | "knock", supportedVersions: string[]) {
    if (serverOf(userId) !== origin) throw errors.forbidden("The user does not belong to the requesting server");
    const memory = await this.persister.roomMemory(roomId);
    if (!memory) throw errors.notFound("Unknown room");
    if (membership !== "leave" && !supportedVersions.includes(memory.version.id)) {
      throw new MatrixError("M_INCOMPATIBLE_ROOM_VERSION", `Room version ${memory.version.id} is not supported by ${origin}`, 400, {
        room_version: memory.version.id,
      });
    }
    const content: JsonObject = { membership };
    const authEvents = authEventTypesFor({ type: "m.room.member", sender: userId, state_key: userId, content }, memory.version)
      .map(([t, k]) => memory.stateEvent(t, k))
      .filter((e): e is IdentifiedPdu => e !== undefined);
    const prevIds = memory.extremities.slice(0, 10);
    // v1/v2 cite events with their reference hashes, so the prev events themselves are needed.
    const prevEvents =
      memory.version.eventIdFormat === "server-generated"
        ? eventReferences(prevIds, new Map([...(await this.stores.events.getMany(prevIds))].map(([id, e]) => [id, e.pdu])), memory.version)
        : prevIds;
    const template: Record<string, unknown> = {
      type: "m.room.member",
      room_id: roomId,
      sender: userId,
      state_key: userId,
      content,
      depth: memory.maxDepth + 1,
      prev_events: prevEvents,
      auth_events: authEvents.map((e) => eventReference(e, memory.version)),
      origin_server_ts: this.core.clock.now(),
    };
    if (memory.version.redactionRules.keepOriginMembershipPrevState) template.origin = origin;
    // Tell the server now, rather than after it has signed and sent the event, that the rules refuse it.
    const verdict = checkEventAuth({ ...(template as unknown as IdentifiedPdu), event_id: "$template" }, memory.lookup, memory.version);
    if (!verdict.ok) throw errors.forbidden(verdict.reason);
    return { event: template, room_version: memory.version.id };
  }

  async sendMembership(origin: string, roomId: string, eventId: string, raw: unknown, membership: "join" | "leave" | "knock") {
    const memory = await this.persister.roomMemory(roomId);
    if (!memory) throw errors.notFound("Unknown room");
    const check = await checkIncomingPdu(raw, memory.version, this.keys);
    if (!check.ok) throw errors.badJson(check.reason);
    const pdu = check.pdu;
    if (pdu.event_id !== eventId) throw errors.badJson("The event id does not match the path");
    if (pdu.room_id !== roomId || pdu.type !== "m.room.member" || pdu.content.membership !== membership) {
      throw errors.badJson(`Expected an m.room.member ${membership} event for this room`);
    }
    if (pdu.state_key !== pdu.sender || serverOf(pdu.sender) !== origin) throw errors.forbidden("The event was not sent by a user of the requesting server");
    const outcome = await this.ingest.receive(origin, raw, { keepRefused: false });
    if (outcome.error) throw errors.forbidden(outcome.error);
    const stored = await this.stores.events.get(eventId);
    if (!stored || stored.streamPos < 0) throw errors.forbidden("The event was not accepted into the room");
    if (membership !== "join") return {};
    // The state before the join is what the joining server needs to start from.
    const { stateIds, authChainIds } = await this.stateAndChain(eventId);
    return {
      origin: this.core.serverName,
      state: await this.reads.eventsAsWire(roomId, stateIds),
      auth_chain: await this.reads.eventsAsWire(roomId, authChainIds),
      event: toWirePdu(stored.pdu, memory.version),
      members_omitted: false,
    };
  }

  private async stateAndChain(eventId: string) {
    const stored = await this.stores.events.get(eventId);
    const state = stored?.stateGroupBefore != null ? await this.stores.state.getState(stored.stateGroupBefore) : new Map<string, string>();
    const ids = [...state.values()];
    const source = await loadEventSource(this.stores.events, ids);
    return { stateIds: ids, authChainIds: [...computeAuthChain(ids, source)] };
  }
}
