import { errors, MatrixError } from "../../errors.js";
import type { EventPersister } from "../persist/event-persister.js";
import type { RoomMemory } from "../persist/room-memory.js";
import type { ServeMembership } from "./serve-membership.js";
import { roomStateForInviteOrKnock } from "./stripped-state.js";

/**
 * The resident side of knocks by users of other servers (spec: "Knocking upon a room"): make_knock and
 * send_knock are make/send membership with membership "knock", only in room versions that have knocking,
 * and send_knock answers with the room state the knocker's clients are shown.
 */
export class ServeKnock {
  constructor(
    private readonly persister: EventPersister,
    private readonly membership: ServeMembership,
  ) {}

  async makeKnock(origin: string, roomId: string, userId: string, supportedVersions: string[]) {
    await this.knockableRoom(roomId);
    return this.membership.makeMembership(origin, roomId, userId, "knock", supportedVersions);
  }

  async sendKnock(origin: string, roomId: string, eventId: string, raw: unknown): Promise<{ knock_room_state: Record<string, unknown>[] }> {
    const memory = await this.knockableRoom(roomId);
    await this.membership.sendMembership(origin, roomId, eventId, raw, "knock");
    return { knock_room_state: roomStateForInviteOrKnock(memory) };
  }

  private async knockableRoom(roomId: string): Promise<RoomMemory> {
    const memory = await this.persister.roomMemory(roomId);
    if (!memory) throw errors.notFound("Unknown room");
    if (!memory.version.knocking) {
      throw new MatrixError("M_INCOMPATIBLE_ROOM_VERSION", `Room version ${memory.version.id} does not support knocking`, 400, {
        room_version: memory.version.id,
      });
    }
    return memory;
  }
}
