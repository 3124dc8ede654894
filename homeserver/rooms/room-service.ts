import type { CoreContext } from "../core/core-context.js";
import type { Stores } from "../storage/stores/stores.js";
import { errors, isMatrixError } from "../errors.js";
import type { JsonObject } from "../events/pdu.js";
import { namedPowerLevel, userPowerLevel } from "../events/auth-rules/index.js";
import { AliasesStore } from "../storage/stores/aliases-store.js";
import type { UserServices } from "../users/index.js";
import type { Requester } from "../users/requester.js";
import { checkRoomIdOrAlias, checkServerName, checkUserId } from "../server-name.js";
import { createRoom, type CreateRoomRequest } from "./create-room.js";
import { txnScopes } from "./txn-scopes.js";
import { changeMembership, guestsMayJoin, type MembershipAction } from "./membership.js";
import { unchangedStateEventId } from "./unchanged-state.js";
import { relationOf } from "./relations/relation-of.js";
import type { EventPersister } from "./persist/event-persister.js";
import type { RoomMemory } from "./persist/room-memory.js";
import type { RemoteJoin } from "./remote/remote-join.js";
import type { RejectRemoteInvite } from "./remote/reject-invite.js";
import type { SendRemoteInvite } from "./remote/send-remote-invite.js";
import type { RemoteKnock } from "./remote/remote-knock.js";

/** The server part of a room id, alias or user id; v12 room ids have none. */
function serverNameOf(id: string): string | undefined {
  const colon = id.indexOf(":");
  return colon > 0 ? id.slice(colon + 1) : undefined;
}

/**
 * PUT state m.room.member is how clients (Element's /myroomnick) set a per-room display name or avatar:
 * allowed for one's own member event while joined, keeping membership "join". Any other membership change
 * goes through the membership endpoints, which check what each change needs.
 */
function checkOwnJoinedMemberState(requester: Requester, stateKey: string, content: JsonObject): void {
  if (stateKey !== requester.userId || content.membership !== "join") {
    throw errors.forbidden("Use the membership endpoints to change membership");
  }
}

/** Writes to local rooms on behalf of local users: create, send, state, redact, membership. */
export class RoomService {
  readonly aliases: AliasesStore;
  private remoteJoin: RemoteJoin | undefined;
  private inviteRejection: RejectRemoteInvite | undefined;
  private remoteInvites: SendRemoteInvite | undefined;
  private remoteKnock: RemoteKnock | undefined;
  private resolveAliasAnywhere: ((alias: string) => Promise<{ room_id: string; servers: string[] }>) | undefined;

  constructor(
    private readonly core: CoreContext,
    readonly persister: EventPersister,
    private readonly stores: Stores,
    private readonly users: UserServices,
  ) {
    this.aliases = stores.aliases;
  }

  /** The member event content for a user, carrying their current profile as the spec recommends. */
  readonly memberContent = async (userId: string, membership: string): Promise<JsonObject> => {
    const content: JsonObject = { membership };
    const profile = await this.users.profiles.getProfile(userId);
    if (profile?.displayname) content.displayname = profile.displayname;
    if (profile?.avatar_url) content.avatar_url = profile.avatar_url;
    return content;
  };

  createRoom(requester: Requester, request: CreateRoomRequest): Promise<string> {
    const deps = { core: this.core, persister: this.persister, aliases: this.aliases, memberContent: this.memberContent, remoteInvites: this.remoteInvites };
    return createRoom(deps, requester, request);
  }

  /** Without a txnId (POST /send/{eventType}, which Synapse still serves) every call makes a new event. */
  async sendMessage(requester: Requester, roomId: string, type: string, content: JsonObject, txnId: string | undefined): Promise<string> {
    await this.requireJoined(requester.userId, roomId);
    await this.checkRelation(roomId, content);
    const annotation = annotationOf(content);
    const persisted = await this.persister.persistLocal(
      roomId,
      { type, sender: requester.userId, content },
      {
        senderDevice: requester.deviceId,
        txnId,
        txnScope: txnScopes.send(roomId, type),
        // The spec: a second annotation of an event with the same type and key from one user is refused (unless the
        // first was redacted). Checked in the room's queue, after a retried txnId has been answered with its event.
        beforeWrite: annotation
          ? async (pdu) => {
              if (await this.stores.relations.hasAnnotation(roomId, annotation.eventId, requester.userId, type, annotation.key)) throw errors.duplicateAnnotation();
              return pdu;
            }
          : undefined,
      },
    );
    return persisted.eventId;
  }

  /**
   * As Synapse validates a relation on send: a parent we hold must be in the same room, and no thread starts from an
   * event that itself relates to another (the spec: threads do not nest, and a thread root has no rel_type).
   */
  private async checkRelation(roomId: string, content: JsonObject): Promise<void> {
    const relation = relationOf({ content });
    if (!relation) return;
    const parent = await this.stores.events.get(relation.eventId);
    if (!parent) return;
    if (parent.pdu.room_id !== roomId) throw errors.unknown("Relations must be in the same room");
    if (relation.relType === "m.thread" && relationOf(parent.pdu) !== undefined) throw errors.unknown("Cannot start threads from an event with a relation");
  }

  async sendState(requester: Requester, roomId: string, type: string, stateKey: string, content: JsonObject): Promise<string> {
    const memory = await this.requireJoined(requester.userId, roomId);
    if (type === "m.room.member") checkOwnJoinedMemberState(requester, stateKey, content);
    if (type === "m.room.canonical_alias") await this.checkCanonicalAlias(roomId, content);
    const unchanged = unchangedStateEventId(memory, type, stateKey, requester.userId, content);
    if (unchanged) return unchanged;
    const persisted = await this.persister.persistLocal(roomId, { type, stateKey, sender: requester.userId, content });
    return persisted.eventId;
  }

  async redact(requester: Requester, roomId: string, eventId: string, txnId: string | undefined, reason?: string): Promise<string> {
    const memory = await this.requireJoined(requester.userId, roomId);
    const target = await this.stores.events.get(eventId);
    if (!target || target.pdu.room_id !== roomId) throw errors.notFound("Event not found");
    // The auth rules only compare servers; a user may redact another user's event only with the redact level.
    if (
      target.pdu.sender !== requester.userId &&
      userPowerLevel(requester.userId, memory.lookup, memory.version) < namedPowerLevel("redact", memory.lookup, memory.version)
    ) {
      throw errors.forbidden("You may not redact other users' events");
    }
    const content: JsonObject = {};
    if (reason !== undefined) content.reason = reason;
    if (memory.version.redactsInContent) content.redacts = eventId;
    const persisted = await this.persister.persistLocal(
      roomId,
      { type: "m.room.redaction", sender: requester.userId, content, redacts: eventId },
      { senderDevice: requester.deviceId, txnId, txnScope: txnScopes.redact(roomId, eventId) },
    );
    return persisted.eventId;
  }

  /**
   * Set once federation is composed: how a local user joins a room only other servers hold, rejects an
   * invite to one, and invites a user of another server.
   */
  useFederation(federation: {
    remoteJoin: RemoteJoin;
    inviteRejection: RejectRemoteInvite;
    remoteInvites: SendRemoteInvite;
    remoteKnock: RemoteKnock;
    resolveAlias(alias: string): Promise<{ room_id: string; servers: string[] }>;
  }): void {
    this.remoteKnock = federation.remoteKnock;
    this.remoteJoin = federation.remoteJoin;
    this.inviteRejection = federation.inviteRejection;
    this.remoteInvites = federation.remoteInvites;
    this.resolveAliasAnywhere = federation.resolveAlias;
  }

  /**
   * Joins by room id or alias. A room this server does not hold is joined through `servers` (the client's
   * server_name / via), then the room id's and alias's own servers, over federation.
   */
  /** A room id, or an alias of ours or (over federation) of another server, with the servers that know it. */
  private async resolveRoomAnywhere(roomIdOrAlias: string, servers: readonly string[]): Promise<{ roomId: string; aliasServers: string[] }> {
    // Malformed ids and server names are the client's mistake, found before any request to another server.
    checkRoomIdOrAlias(roomIdOrAlias);
    for (const server of servers) checkServerName(server, "server_name");
    if (roomIdOrAlias.startsWith("#") && this.resolveAliasAnywhere && serverNameOf(roomIdOrAlias) !== this.core.serverName) {
      // Another server's alias: it names the room and the servers that can help us in.
      const resolved = await this.resolveAliasAnywhere(roomIdOrAlias);
      return { roomId: resolved.room_id, aliasServers: resolved.servers };
    }
    return { roomId: await this.resolveRoom(roomIdOrAlias), aliasServers: [] };
  }

  /** POST /knock: on a room we hold with one of our users in it, locally; otherwise through a resident server. */
  async knock(requester: Requester, roomIdOrAlias: string, reason?: string, servers: string[] = []): Promise<string> {
    const { roomId, aliasServers } = await this.resolveRoomAnywhere(roomIdOrAlias, servers);
    const memory = await this.persister.roomMemory(roomId);
    if (memory && this.hasJoinedLocalUser(memory)) {
      await changeMembership(this.membershipDeps, requester, roomId, "knock", requester.userId, reason);
      return roomId;
    }
    if (!this.remoteKnock) throw errors.notFound("No known servers to knock through");
    const candidates = [...servers, ...aliasServers, serverNameOf(roomId), serverNameOf(roomIdOrAlias)].filter(
      (s): s is string => !!s && s !== this.core.serverName,
    );
    if (memory) candidates.push(...this.residentServers(memory));
    return this.remoteKnock.knock(requester, roomId, candidates, reason);
  }

  /** `content`: what the client sent for its join event's content (reason, and any other fields it adds). */
  async join(requester: Requester, roomIdOrAlias: string, content: JsonObject = {}, servers: string[] = []): Promise<string> {
    const { roomId, aliasServers } = await this.resolveRoomAnywhere(roomIdOrAlias, servers);
    const memory = await this.persister.roomMemory(roomId);
    // Checked on our copy of the room, before any join through another server: a room we cannot see is refused.
    if (requester.isGuest && !guestsMayJoin(memory)) throw errors.guestAccessForbidden();
    // With none of our users in the room our copy may be stale: join through a resident server.
    if (this.remoteJoin && (!memory || !this.hasJoinedLocalUser(memory))) {
      const candidates = [...servers, ...aliasServers, serverNameOf(roomId), serverNameOf(roomIdOrAlias)].filter(
        (s): s is string => !!s && s !== this.core.serverName,
      );
      if (memory && candidates.length === 0) candidates.push(...this.residentServers(memory));
      if (!memory || candidates.length > 0) return this.remoteJoin.join(requester, roomId, candidates, content);
    }
    if (!memory) throw errors.notFound("No known servers to join this room through");
    if (memory.membershipOf(requester.userId) === "join") return roomId; // joining twice is a no-op
    await changeMembership(this.membershipDeps, requester, roomId, "join", requester.userId, undefined, content);
    await this.core.db.deleteFrom("room_forgotten").where("user_id", "=", requester.userId).where("room_id", "=", roomId).execute();
    return roomId;
  }

  async membership(requester: Requester, roomId: string, action: Exclude<MembershipAction, "join">, target: string, reason?: string): Promise<void> {
    // Declining an invite to a room only other servers hold goes through the inviting server.
    if (action === "leave" && this.inviteRejection && !(await this.persister.roomMemory(roomId))) {
      if (await this.inviteRejection.hasPendingInvite(requester.userId, roomId)) {
        await this.inviteRejection.reject(requester, roomId, reason);
        return;
      }
    }
    // The target may be another server's user: a malformed id must not reach the federation client (502).
    if (action !== "leave") checkUserId(target);
    await changeMembership(this.membershipDeps, requester, roomId, action, action === "leave" ? requester.userId : target, reason);
  }

  private hasJoinedLocalUser(memory: RoomMemory): boolean {
    const suffix = `:${this.core.serverName}`;
    for (const [key, event] of memory.state) {
      if (key.startsWith("m.room.member\u0000") && event.content.membership === "join" && event.state_key!.endsWith(suffix)) return true;
    }
    return false;
  }

  /** Servers that had joined users in our last view of the room: where a stale copy can be refreshed from. */
  private residentServers(memory: RoomMemory): string[] {
    const servers = new Set<string>();
    for (const [key, event] of memory.state) {
      if (key.startsWith("m.room.member\u0000") && event.content.membership === "join") {
        const server = serverNameOf(event.state_key!);
        if (server && server !== this.core.serverName) servers.add(server);
      }
    }
    return [...servers];
  }

  async forget(requester: Requester, roomId: string): Promise<void> {
    const memory = await this.persister.roomMemory(roomId);
    const membership = memory?.membershipOf(requester.userId);
    if (membership === "join" || membership === "invite" || membership === "knock") {
      throw errors.unknown("You must leave the room before forgetting it", 400);
    }
    await this.core.db
      .insertInto("room_forgotten")
      .values({ user_id: requester.userId, room_id: roomId })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  async resolveRoom(roomIdOrAlias: string): Promise<string> {
    if (roomIdOrAlias.startsWith("!")) return roomIdOrAlias;
    if (!roomIdOrAlias.startsWith("#")) throw errors.invalidParam("Expected a room id or alias");
    const roomId = await this.aliases.resolve(roomIdOrAlias);
    if (!roomId) throw errors.notFound("Room alias not found");
    return roomId;
  }

  async requireJoined(userId: string, roomId: string) {
    const memory = await this.persister.roomMemory(roomId);
    if (!memory || memory.membershipOf(userId) !== "join") throw errors.forbidden("You are not joined to this room");
    return memory;
  }

  /** Sends a new member event into every joined room after a profile change (Synapse does the same). */
  async propagateProfile(userId: string, _profile: { displayname: string | null; avatar_url: string | null }): Promise<void> {
    const rooms = await this.stores.rooms.roomsForUser(userId, ["join"]);
    for (const { roomId } of rooms) {
      try {
        await this.persister.persistLocal(roomId, { type: "m.room.member", stateKey: userId, sender: userId, content: await this.memberContent(userId, "join") });
      } catch (error) {
        // One room refusing (e.g. power levels) must not stop the others.
        if (!isMatrixError(error)) throw error;
        this.core.logger.warn({ roomId, err: error.message }, "profile update not sent to room");
      }
    }
  }

  async leaveAllRooms(userId: string): Promise<void> {
    const rooms = await this.stores.rooms.roomsForUser(userId, ["join", "invite", "knock"]);
    const requester: Requester = { userId, deviceId: "", isAdmin: false, tokenHash: "" };
    for (const { roomId } of rooms) {
      try {
        await changeMembership(this.membershipDeps, requester, roomId, "leave", userId);
      } catch (error) {
        if (!isMatrixError(error)) throw error;
      }
    }
  }

  /** The spec requires a canonical alias to point at this room. */
  private async checkCanonicalAlias(roomId: string, content: JsonObject): Promise<void> {
    const aliases = [content.alias, ...(Array.isArray(content.alt_aliases) ? content.alt_aliases : [])].filter((a) => a !== undefined && a !== null);
    for (const alias of aliases) {
      if (typeof alias !== "string" || !alias.startsWith("#")) throw errors.invalidParam("Invalid alias");
      if (alias.endsWith(`:${this.core.serverName}`) && (await this.aliases.resolve(alias)) !== roomId) {
        throw errors.badAlias(`${alias} does not point to this room`);
      }
    }
  }

  private get membershipDeps() {
    return { persister: this.persister, memberContent: this.memberContent, remoteInvites: this.remoteInvites, serverName: this.core.serverName };
  }
}

/** An m.annotation relation's target and key, when the content carries a well-formed one. */
function annotationOf(content: JsonObject): { eventId: string; key: string } | undefined {
  const relation = content["m.relates_to"];
  if (typeof relation !== "object" || relation === null || Array.isArray(relation)) return undefined;
  const { rel_type: relType, event_id: eventId, key } = relation as Record<string, unknown>;
  return relType === "m.annotation" && typeof eventId === "string" && typeof key === "string" ? { eventId, key } : undefined;
}
