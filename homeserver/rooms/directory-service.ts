import type { CoreContext } from "../core/core-context.js";
import type { Stores } from "../storage/stores/stores.js";
import { errors, isMatrixError, MatrixError } from "../errors.js";
import type { JsonObject } from "../events/pdu.js";
import { requiredPowerLevel, userPowerLevel } from "../events/auth-rules/index.js";
import type { Requester } from "../users/requester.js";
import type { PublicRoomsResponse } from "../../schemas/client/directory/get-public-rooms.js";
import type { GetRoomIdByAliasResponse } from "../../schemas/client/directory/get-room-id-by-alias.js";
import type { DirectoryVisibility } from "../../schemas/client/directory/room-visibility.js";
import type { EventPersister } from "./persist/event-persister.js";
import type { RoomMemory } from "./persist/room-memory.js";
import type { RoomService } from "./room-service.js";
import { checkServerName } from "../server-name.js";
import { parseNewLocalAlias, parseRoomAlias, serverOf } from "./directory-aliases.js";
import { listPublicRooms, type PublicRoomsQuery } from "./directory-public-rooms.js";
import type { DirectoryRemote } from "./directory-remote.js";

const CANONICAL_ALIAS = "m.room.canonical_alias";

/** Room aliases, the published room directory and its listing (spec: "Room aliases", "Listing rooms"). */
export class DirectoryService {
  constructor(
    private readonly core: CoreContext,
    private readonly persister: EventPersister,
    private readonly stores: Stores,
    private readonly rooms: RoomService,
    private remote?: DirectoryRemote,
  ) {}

  /** Set once federation is composed: other servers' aliases and room lists. */
  useRemote(remote: DirectoryRemote): void {
    this.remote = remote;
  }

  /** GET /directory/room/{alias}: the room and the servers that can help others join it, ours first. */
  async resolveAlias(alias: string): Promise<GetRoomIdByAliasResponse> {
    const parsed = parseRoomAlias(alias);
    if (parsed.serverName !== this.core.serverName) {
      const found = await this.remote?.queryAlias(parsed.serverName, alias);
      if (!found) throw errors.notFound(`Room alias ${alias} not found`);
      return found;
    }
    const roomId = await this.rooms.aliases.resolve(alias);
    if (!roomId) throw errors.notFound(`Room alias ${alias} not found`);
    const members = await this.stores.rooms.joinedMembers(roomId);
    const others = new Set(members.map(serverOf).filter((server) => server !== this.core.serverName));
    return { room_id: roomId, servers: [this.core.serverName, ...others] };
  }

  /** PUT /directory/room/{alias}: only members (or admins) may point one of our aliases at a room. */
  async createAlias(requester: Requester, alias: string, roomId: string): Promise<void> {
    parseNewLocalAlias(alias, this.core.serverName);
    // Synapse's answer too; the spec lists no 404 here.
    if (!(await this.stores.rooms.get(roomId))) throw errors.unknown("Room does not exist", 400);
    if (!requester.isAdmin) await this.rooms.requireJoined(requester.userId, roomId);
    const created = await this.rooms.aliases.create(alias, roomId, requester.userId, this.core.clock.now());
    if (!created) throw new MatrixError("M_UNKNOWN", `Room alias ${alias} already exists`, 409);
  }

  /**
   * DELETE /directory/room/{alias}: by the alias's creator, a server admin, or a member who may change the
   * room's published aliases. The canonical alias event then stops naming it, when the user may send it.
   */
  async deleteAlias(requester: Requester, alias: string): Promise<void> {
    const parsed = parseRoomAlias(alias);
    if (parsed.serverName !== this.core.serverName) throw errors.invalidParam("Room alias is not on this server");
    const mapping = await this.rooms.aliases.get(alias);
    if (!mapping) throw errors.notFound(`Room alias ${alias} not found`);
    if (mapping.creator !== requester.userId && !(await this.mayEditDirectory(requester, mapping.roomId))) {
      throw errors.forbidden("You don't have permission to delete the alias");
    }
    await this.rooms.aliases.delete(alias);
    await this.dropFromCanonicalAlias(requester, mapping.roomId, alias);
  }

  /** GET /rooms/{roomId}/aliases: for members, admins, and anyone when the room is world-readable. */
  async localAliases(requester: Requester, roomId: string): Promise<string[]> {
    if (!requester.isAdmin) {
      const memory = await this.persister.roomMemory(roomId);
      const worldReadable = memory?.stateEvent("m.room.history_visibility")?.content.history_visibility === "world_readable";
      if (!worldReadable && memory?.membershipOf(requester.userId) !== "join") {
        throw errors.forbidden("You are not joined to this room");
      }
    }
    return this.rooms.aliases.forRoom(roomId);
  }

  async visibility(roomId: string): Promise<DirectoryVisibility> {
    const room = await this.stores.rooms.get(roomId);
    if (!room) throw errors.notFound("Room not found");
    return room.directoryVisibility;
  }

  /** PUT /directory/list/room/{roomId}: the spec lets servers restrict this; we ask what Synapse asks. */
  async setVisibility(requester: Requester, roomId: string, visibility: DirectoryVisibility): Promise<void> {
    if (!(await this.stores.rooms.get(roomId))) throw errors.notFound("Room not found");
    if (!(await this.mayEditDirectory(requester, roomId))) {
      throw errors.forbidden("You need the power to set the room's canonical alias to change its directory visibility");
    }
    await this.stores.rooms.setDirectoryVisibility(roomId, visibility);
  }

  /** GET and POST /publicRooms: our own directory, or another server's through the remote when there is one. */
  async publicRooms(query: PublicRoomsQuery, serverName?: string): Promise<PublicRoomsResponse> {
    if (serverName === undefined || serverName === this.core.serverName) return listPublicRooms(this.core.db, this.persister, query);
    checkServerName(serverName, "server");
    if (!this.remote) throw errors.invalidParam(`Cannot list the published rooms of ${serverName}: no federation`);
    return this.remote.publicRooms(serverName, query);
  }

  /**
   * Who may change a room's directory entry: a server admin, or a member whose power level allows sending
   * m.room.canonical_alias (what the directory entry advertises), as Synapse decides.
   */
  private async mayEditDirectory(requester: Requester, roomId: string): Promise<boolean> {
    if (requester.isAdmin) return true;
    const memory = await this.persister.roomMemory(roomId);
    if (!memory || memory.membershipOf(requester.userId) !== "join") return false;
    return canSendCanonicalAlias(requester.userId, memory);
  }

  /**
   * The spec recommends deleting the alias even when this update is not allowed, so refusals are only logged:
   * the event is sent as the deleting user, and may fail for want of power or membership.
   */
  private async dropFromCanonicalAlias(requester: Requester, roomId: string, alias: string): Promise<void> {
    const memory = await this.persister.roomMemory(roomId);
    const current = memory?.stateEvent(CANONICAL_ALIAS)?.content;
    if (!current) return;
    const content: JsonObject = { ...current };
    let changed = false;
    if (content.alias === alias) {
      delete content.alias;
      changed = true;
    }
    const alternatives = content.alt_aliases;
    if (Array.isArray(alternatives) && alternatives.includes(alias)) {
      const remaining = alternatives.filter((other) => other !== alias);
      if (remaining.length > 0) content.alt_aliases = remaining;
      else delete content.alt_aliases;
      changed = true;
    }
    if (!changed) return;
    try {
      await this.rooms.sendState(requester, roomId, CANONICAL_ALIAS, "", content);
    } catch (error) {
      if (!isMatrixError(error)) throw error;
      this.core.logger.info({ roomId, alias, err: error.message }, "alias deleted but m.room.canonical_alias not updated");
    }
  }
}

function canSendCanonicalAlias(userId: string, memory: RoomMemory): boolean {
  const required = requiredPowerLevel(CANONICAL_ALIAS, true, memory.lookup, memory.version);
  return userPowerLevel(userId, memory.lookup, memory.version) >= required;
}
