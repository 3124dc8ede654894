import type { CoreContext } from "../../core/core-context.js";
import { errors, isMatrixError } from "../../errors.js";
import type { JsonObject } from "../../events/pdu.js";
import { getRoomVersion, type RoomVersion } from "../../events/room-versions.js";
import { isValidUserId, requiredPowerLevel, userPowerLevel } from "../../events/auth-rules/index.js";
import type { Stores } from "../../storage/stores/stores.js";
import type { Requester } from "../../users/requester.js";
import type { EventPersister } from "../persist/event-persister.js";
import type { RoomMemory } from "../persist/room-memory.js";
import type { RoomService } from "../room-service.js";
import { checkRoomIdOrAlias } from "../../server-name.js";
import { moveLocalAliases } from "./alias-moves.js";
import { splitCanonicalAlias } from "./canonical-alias-split.js";
import { planUpgrade, restrictedPowerLevels } from "./upgrade-plan.js";

export interface UpgradeRequest {
  new_version: string;
  additional_creators?: string[];
}

const TOMBSTONE = "m.room.tombstone";

/**
 * POST /rooms/{roomId}/upgrade (spec: "Room upgrades", server behaviour): a replacement room made through
 * createRoom with the old room's state, then the old room's tombstone, its aliases and directory entry moved,
 * its bans copied and its power levels raised so that ordinary members can no longer speak or invite.
 * Every event goes through RoomService and the one persist pipeline.
 */
export class RoomUpgrader {
  /** Upgrades in progress by old room: the same user asking again gets the same answer, anyone else a 400. */
  private readonly inProgress = new Map<string, { userId: string; upgrade: Promise<string> }>();

  constructor(
    private readonly core: CoreContext,
    private readonly persister: Pick<EventPersister, "roomMemory">,
    private readonly stores: Pick<Stores, "rooms">,
    private readonly rooms: Pick<RoomService, "createRoom" | "sendState" | "membership">,
  ) {}

  async upgrade(requester: Requester, roomId: string, request: UpgradeRequest): Promise<string> {
    const version = getRoomVersion(request.new_version);
    if (!version) throw errors.unsupportedRoomVersion(request.new_version.slice(0, 100));
    if (!roomId.startsWith("!")) throw errors.invalidParam("Expected a room id");
    checkRoomIdOrAlias(roomId);
    const additionalCreators = checkAdditionalCreators(request.additional_creators, version, requester.userId);
    const running = this.inProgress.get(roomId);
    if (running) {
      if (running.userId === requester.userId) return running.upgrade;
      throw errors.unknown("An upgrade of this room is already in progress", 400);
    }
    // Registered before the first await, so that a second request arriving meanwhile sees it.
    const upgrade = this.persister.roomMemory(roomId).then((memory) => {
      checkMayUpgrade(memory, requester.userId);
      return this.replace(requester, memory!, version, additionalCreators);
    });
    this.inProgress.set(roomId, { userId: requester.userId, upgrade });
    try {
      return await upgrade;
    } finally {
      this.inProgress.delete(roomId);
    }
  }

  private async replace(requester: Requester, old: RoomMemory, version: RoomVersion, additionalCreators: string[]): Promise<string> {
    const oldRoomId = old.roomId;
    const directory = (await this.stores.rooms.get(oldRoomId))?.directoryVisibility ?? "private";
    const plan = planUpgrade(old, requester.userId, version, additionalCreators, lastEventOf(old));
    const newRoomId = await this.rooms.createRoom(requester, { ...plan.createRequest, visibility: directory });

    await this.rooms.sendState(requester, oldRoomId, TOMBSTONE, "", { body: "This room has been replaced", replacement_room: newRoomId });
    const canonical = old.stateEvent("m.room.canonical_alias")?.content;
    await moveLocalAliases(this.core.db, oldRoomId, newRoomId);
    if (canonical) {
      const split = splitCanonicalAlias(canonical, this.core.serverName);
      await this.bestEffort(oldRoomId, () => this.rooms.sendState(requester, oldRoomId, "m.room.canonical_alias", "", split.old));
      if (Object.keys(split.replacement).length > 0) {
        await this.bestEffort(newRoomId, () => this.rooms.sendState(requester, newRoomId, "m.room.canonical_alias", "", split.replacement));
      }
    }
    // The directory lists the room people should join: the new one was published at creation.
    if (directory === "public") await this.stores.rooms.setDirectoryVisibility(oldRoomId, "private");
    for (const ban of plan.bans) {
      await this.bestEffort(newRoomId, () => this.rooms.membership(requester, newRoomId, "ban", ban.userId, ban.reason));
    }
    if (plan.finalPowerLevels) {
      const levels = plan.finalPowerLevels;
      await this.bestEffort(newRoomId, () => this.rooms.sendState(requester, newRoomId, "m.room.power_levels", "", levels));
    }
    const oldLevels = old.stateEvent("m.room.power_levels")?.content;
    const restricted = oldLevels ? restrictedPowerLevels(oldLevels) : undefined;
    if (restricted) await this.bestEffort(oldRoomId, () => this.rooms.sendState(requester, oldRoomId, "m.room.power_levels", "", restricted));
    return newRoomId;
  }

  /** Once the new room and the tombstone exist the upgrade has happened: a later step refused is logged, not fatal. */
  private async bestEffort(roomId: string, step: () => Promise<unknown>): Promise<void> {
    try {
      await step();
    } catch (error) {
      if (!isMatrixError(error)) throw error;
      this.core.logger.warn({ roomId, err: error.message }, "room upgrade: a step after the tombstone was refused");
    }
  }
}

/** Only a joined member with the power to send the tombstone may upgrade (spec step 1). */
function checkMayUpgrade(memory: RoomMemory | undefined, userId: string): void {
  if (!memory || memory.membershipOf(userId) !== "join") throw errors.forbidden("You are not joined to this room");
  const required = requiredPowerLevel(TOMBSTONE, true, memory.lookup, memory.version);
  if (userPowerLevel(userId, memory.lookup, memory.version) < required) throw errors.forbidden("You do not have the power to upgrade this room");
}

/** The spec: ignored by versions without room creators; otherwise user ids, as the create event's rules check them. */
function checkAdditionalCreators(value: unknown[] | undefined, version: RoomVersion, upgrader: string): string[] {
  if (value === undefined || !version.creatorsHavePrivilege) return [];
  for (const id of value) {
    if (!isValidUserId(id)) throw errors.invalidParam(`additional_creators: ${JSON.stringify(String(id).slice(0, 100))} is not a user id`);
  }
  return [...new Set(value as string[])].filter((id) => id !== upgrader);
}

/** The old room's latest event: the predecessor's `event_id`, "the last known event in the old room". */
function lastEventOf(memory: RoomMemory): string | undefined {
  return memory.extremities[memory.extremities.length - 1];
}
