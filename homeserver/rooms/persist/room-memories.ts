import { stateKeyOf, type IdentifiedPdu } from "../../events/pdu.js";
import { redactEvent } from "../../events/redaction.js";
import { requireRoomVersion } from "../../events/room-versions.js";
import type { EventsStore } from "../../storage/stores/events-store.js";
import type { RoomsStore } from "../../storage/stores/rooms-store.js";
import { RoomMemory } from "./room-memory.js";

class UnknownRoom extends Error {}

/**
 * The in-memory view of each room (current state, extremities, depth, state group), loaded once from the
 * database and then changed only by the persist pipeline after its commits.
 */
export class RoomMemories {
  private readonly loading = new Map<string, Promise<RoomMemory>>();
  private readonly loaded = new Map<string, RoomMemory>();

  constructor(private readonly stores: { events: EventsStore; rooms: RoomsStore }) {}

  /** Undefined if we do not know the room. */
  async get(roomId: string): Promise<RoomMemory | undefined> {
    let loading = this.loading.get(roomId);
    if (!loading) {
      loading = this.load(roomId);
      this.loading.set(roomId, loading);
      const started = loading;
      loading.then(
        (memory) => {
          if (this.loading.get(roomId) === started) this.loaded.set(roomId, memory);
        },
        () => this.loading.delete(roomId),
      );
    }
    try {
      return await loading;
    } catch (error) {
      if (error instanceof UnknownRoom) return undefined;
      throw error;
    }
  }

  /** The memory of a room if it is already loaded (no I/O), for hot paths that can do without it. */
  getLoaded(roomId: string): RoomMemory | undefined {
    return this.loaded.get(roomId);
  }

  /** Holds the memory of a room made outside the loader (a new room, a remote join), so later writes build on it. */
  adopt(memory: RoomMemory): void {
    this.loading.set(memory.roomId, Promise.resolve(memory));
    this.loaded.set(memory.roomId, memory);
  }

  private async load(roomId: string): Promise<RoomMemory> {
    const { rooms, events } = this.stores;
    const room = await rooms.get(roomId);
    if (!room) throw new UnknownRoom();
    const version = requireRoomVersion(room.roomVersion);
    const current = await rooms.currentState(roomId);
    const stored = await events.getMany(current.map((c) => c.eventId));
    const state = new Map<string, IdentifiedPdu>();
    for (const row of current) {
      const event = stored.get(row.eventId);
      if (!event) continue;
      // As the persist pipeline leaves it after a redaction: the redacted form counts.
      const pdu = event.redactedBy ? { ...(redactEvent(event.pdu, version) as IdentifiedPdu), event_id: event.pdu.event_id } : event.pdu;
      state.set(stateKeyOf(row.type, row.stateKey), pdu);
    }
    const extremities = await rooms.forwardExtremities(roomId);
    const tips = await events.getMany(extremities);
    let maxDepth = 0;
    let stateGroup: number | null = null;
    let latest = -1;
    for (const tip of tips.values()) {
      maxDepth = Math.max(maxDepth, tip.pdu.depth);
      if (tip.streamPos > latest) {
        latest = tip.streamPos;
        stateGroup = tip.stateGroupAfter;
      }
    }
    return new RoomMemory(roomId, version, state, extremities, maxDepth, stateGroup);
  }
}
