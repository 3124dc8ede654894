import type { CoreContext } from "../core/core-context.js";
import { errors, isMatrixError } from "../errors.js";
import { stateKeyOf } from "../events/pdu.js";
import { parseRoomToken } from "../streams/sync-token.js";
import type { CurrentStateReadsStore } from "../storage/stores/current-state-reads-store.js";
import type { StoredEvent } from "../storage/stores/events-store.js";
import type { Requester } from "../users/requester.js";
import type { GetJoinedMembersResponse, JoinedMemberJson } from "../../schemas/client/room-reads/get-joined-members.js";
import type { GetMembersQuery } from "../../schemas/client/room-reads/get-members.js";
import type { ClientEvent } from "./client-event.js";
import { formatEvents, type AggregationSource } from "./read-formatting.js";
import type { RoomAccess, RoomAccessChecker } from "./room-access.js";
import type { RoomStateReader } from "./room-state-reader.js";
import { roomIdOf } from "./timeline-reads.js";

/**
 * GET /event, /state, /state/{type}/{key}, /members, /joined_members, /joined_rooms. A joined user (or a
 * peeker into a world_readable room) reads the current state; a user who left reads the state at their
 * leave; anyone else gets 403 (404 for /event, which does not reveal whether an event exists).
 */
export class StateReads {
  constructor(
    private readonly core: CoreContext,
    private readonly current: CurrentStateReadsStore,
    private readonly reader: RoomStateReader,
    private readonly access: RoomAccessChecker,
    /** State events get none (the spec), so only /event's message events cost a lookup. */
    private readonly aggregations: AggregationSource,
  ) {}

  async event(requester: Requester, roomId: string, eventId: string): Promise<ClientEvent> {
    const stored = await this.reader.events.get(eventId);
    if (!stored || roomIdOf(stored) !== roomId) throw errors.notFound("Event not found");
    let access: RoomAccess | undefined;
    try {
      access = await this.access.resolve(requester.userId, roomId);
    } catch (error) {
      if (!isMatrixError(error)) throw error;
    }
    const memberships = new Map<string, string>();
    if (!access || (await this.access.visibilityFilter.filter([stored], access.viewer, memberships)).length === 0) {
      throw errors.notFound("Event not found");
    }
    return (await this.format(requester, roomId, [stored], memberships))[0];
  }

  async state(requester: Requester, roomId: string): Promise<ClientEvent[]> {
    const access = await this.access.require(requester.userId, roomId);
    const ids = access.kind === "departed" ? [...(await this.reader.fullStateAt(access.leaveEvent.stateGroupAfter)).values()] : await this.current.allEventIds(roomId);
    return this.format(requester, roomId, await this.reader.eventsInOrder(ids));
  }

  async stateEvent(requester: Requester, roomId: string, type: string, stateKey: string): Promise<ClientEvent> {
    const access = await this.access.require(requester.userId, roomId);
    let eventId: string | undefined;
    if (access.kind === "departed") {
      const group = access.leaveEvent.stateGroupAfter;
      eventId = (await this.reader.keysAt([group], [[type, stateKey]])).get(group)!.get(stateKeyOf(type, stateKey));
    } else {
      eventId = await this.current.eventId(roomId, type, stateKey);
    }
    const stored = eventId ? await this.reader.events.get(eventId) : undefined;
    if (!stored) throw errors.notFound(`No ${type} state with key "${stateKey}" in this room`);
    return (await this.format(requester, roomId, [stored]))[0];
  }

  async members(requester: Requester, roomId: string, query: GetMembersQuery): Promise<ClientEvent[]> {
    const access = await this.access.require(requester.userId, roomId);
    let at = query.at === undefined ? undefined : parseRoomToken(query.at);
    if (query.at !== undefined && at === undefined) throw errors.invalidParam("Invalid at token");
    if (access.kind === "departed") at = Math.min(at ?? access.until, access.until);
    let ids: string[];
    if (at === undefined) {
      ids = (await this.current.members(roomId)).filter((m) => membershipWanted(m.membership, query)).map((m) => m.eventId);
      return this.format(requester, roomId, await this.reader.eventsInOrder(ids));
    }
    const point = await this.reader.events.lastEventAtOrBefore(roomId, at);
    const state = await this.reader.selectAt(point?.stateGroupAfter ?? null, { types: ["m.room.member"] });
    const events = await this.reader.eventsInOrder([...state.values()]);
    return this.format(
      requester,
      roomId,
      events.filter((e) => membershipWanted(String(e.pdu.content.membership), query)),
    );
  }

  async joinedMembers(requester: Requester, roomId: string): Promise<GetJoinedMembersResponse> {
    await this.access.requireJoined(requester.userId, roomId);
    const joined = (await this.current.members(roomId)).filter((m) => m.membership === "join");
    const events = await this.reader.eventsInOrder(joined.map((m) => m.eventId));
    const result: Record<string, JoinedMemberJson> = {};
    for (const event of events) {
      const content = event.redactedBy ? {} : event.pdu.content;
      const member: JoinedMemberJson = {};
      // The spec types these as strings; a member without one simply has no key.
      if (typeof content.displayname === "string") member.display_name = content.displayname;
      if (typeof content.avatar_url === "string") member.avatar_url = content.avatar_url;
      result[event.pdu.state_key!] = member;
    }
    return { joined: result };
  }

  async joinedRooms(requester: Requester): Promise<string[]> {
    return this.current.joinedRoomIds(requester.userId);
  }

  private async format(requester: Requester, roomId: string, events: StoredEvent[], memberships?: Map<string, string>): Promise<ClientEvent[]> {
    const version = await this.reader.roomVersion(roomId);
    if (!version) throw errors.forbidden("Unknown room");
    const viewer = { userId: requester.userId, deviceId: requester.deviceId };
    return formatEvents(this.reader.events, events, version, this.core.clock.now(), viewer, memberships, this.aggregations);
  }
}

/** The spec: with both parameters the result is membership = `membership` OR membership != `not_membership`. */
export function membershipWanted(membership: string, query: Pick<GetMembersQuery, "membership" | "not_membership">): boolean {
  const { membership: wanted, not_membership: unwanted } = query;
  if (wanted !== undefined && unwanted !== undefined) return membership === wanted || membership !== unwanted;
  if (wanted !== undefined) return membership === wanted;
  if (unwanted !== undefined) return membership !== unwanted;
  return true;
}
