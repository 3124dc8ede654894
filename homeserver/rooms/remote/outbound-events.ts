import { sql } from "kysely";
import type { Stores } from "../../storage/stores/stores.js";
import type { Db } from "../../storage/database.js";
import type { EventsStore } from "../../storage/stores/events-store.js";
import type { IdentifiedPdu } from "../../events/pdu.js";
import { DestinationsStore, type DestinationRow } from "../../storage/stores/destinations-store.js";
import type { EventPersister } from "../persist/event-persister.js";
import { storedToWire } from "./federation-reads.js";

export type { DestinationRow } from "../../storage/stores/destinations-store.js";

/** The events stream as the sender reads it: which events a wake-up's positions cover. */
export type EventStreamRange = Pick<EventsStore, "streamRange">;

const serverOf = (userId: string) => userId.slice(userId.indexOf(":") + 1);

/**
 * What the durable federation sender reads: which servers a new event goes to, and the local events after a
 * destination's cursor in rooms where that destination has users. Only events our users sent are sent;
 * events we received from a server are that server's to send.
 */
export class OutboundEvents {
  readonly destinations: DestinationsStore;
  private readonly serversByRoom = new Map<string, { group: number | null; servers: ReadonlySet<string> }>();

  constructor(
    private readonly core: { serverName: string; db: Db },
    private readonly persister: Pick<EventPersister, "roomMemory" | "loadedRoomMemory">,
    private readonly stores: Pick<Stores, "destinations" | "events">,
  ) {
    this.destinations = stores.destinations;
  }

  /**
   * The other servers with joined users in a room whose memory is loaded, without waiting; undefined when the
   * room is not in memory. Cached per state group (the set changes only with the room's state), and dropped
   * whenever a membership in the room changes (`membershipChanged`), in case a group id comes back.
   */
  joinedServersNow(roomId: string): ReadonlySet<string> | undefined {
    const memory = this.persister.loadedRoomMemory(roomId);
    if (!memory) return undefined;
    const cached = this.serversByRoom.get(roomId);
    if (cached && cached.group === memory.stateGroup && cached.group !== null) return cached.servers;
    const servers = memory.joinedServers(this.core.serverName);
    this.serversByRoom.set(roomId, { group: memory.stateGroup, servers });
    return servers;
  }

  membershipChanged(roomId: string): void {
    this.serversByRoom.delete(roomId);
  }

  /** The other servers that must receive `pdu`: those with joined users, and the target of a member event. */
  async destinationsFor(roomId: string, pdu: IdentifiedPdu): Promise<string[]> {
    const memory = await this.persister.roomMemory(roomId);
    const servers = memory?.joinedServers() ?? new Set<string>();
    if (pdu.type === "m.room.member" && pdu.state_key) servers.add(serverOf(pdu.state_key));
    servers.delete(this.core.serverName);
    return [...servers];
  }

  /**
   * Local events with afterPos < stream_pos <= upTo, oldest first, in rooms where `destination` has joined
   * users, plus member events about its users (an invite, kick or ban must reach the server it concerns).
   * An invited server is not in the room yet: it gets the room's history only by joining.
   */
  async eventsFor(destination: string, afterPos: number, upTo: number, limit: number): Promise<Array<{ streamPos: number; pdu: Record<string, unknown> }>> {
    const suffix = `:${this.core.serverName}`;
    const destinationSuffix = `:${destination}`;
    const { rows } = await sql<{ stream_pos: number; event_id: string; room_id: string }>`
      SELECT e.stream_pos, e.event_id, e.room_id FROM events e
      WHERE e.stream_pos > ${afterPos} AND e.stream_pos <= ${upTo}
        AND right(e.sender, ${suffix.length}) = ${suffix}
        AND (
          e.room_id IN (
            SELECT room_id FROM current_state
            WHERE type = 'm.room.member' AND membership = 'join'
              AND right(state_key, ${destinationSuffix.length}) = ${destinationSuffix}
          )
          OR (e.type = 'm.room.member' AND right(e.state_key, ${destinationSuffix.length}) = ${destinationSuffix})
        )
      ORDER BY e.stream_pos
      LIMIT ${limit}`.execute(this.core.db);
    const events = await this.stores.events.getMany(rows.map((r) => r.event_id));
    const result: Array<{ streamPos: number; pdu: Record<string, unknown> }> = [];
    for (const row of rows) {
      const stored = events.get(row.event_id);
      const memory = await this.persister.roomMemory(row.room_id);
      if (stored && memory) result.push({ streamPos: Number(row.stream_pos), pdu: storedToWire(stored, memory.version) });
    }
    return result;
  }

  /** The newest local event of each room `destination` takes part in: what a long-absent peer gets instead of everything. */
  async latestEventsFor(destination: string, upTo: number): Promise<Array<{ streamPos: number; pdu: Record<string, unknown> }>> {
    const suffix = `:${this.core.serverName}`;
    const destinationSuffix = `:${destination}`;
    const { rows } = await sql<{ stream_pos: number }>`
      SELECT max(e.stream_pos) AS stream_pos FROM events e
      WHERE e.stream_pos > 0 AND e.stream_pos <= ${upTo} AND right(e.sender, ${suffix.length}) = ${suffix}
        AND e.room_id IN (
          SELECT room_id FROM current_state WHERE type = 'm.room.member' AND membership = 'join'
            AND right(state_key, ${destinationSuffix.length}) = ${destinationSuffix}
        )
      GROUP BY e.room_id`.execute(this.core.db);
    const positions = rows.map((r) => Number(r.stream_pos)).sort((a, b) => a - b);
    const result: Array<{ streamPos: number; pdu: Record<string, unknown> }> = [];
    for (const pos of positions) result.push(...(await this.eventsFor(destination, pos - 1, pos, 1)));
    return result;
  }

  loadDestinations(): Promise<DestinationRow[]> {
    return this.destinations.all();
  }

  saveDestination(row: DestinationRow): Promise<void> {
    return this.destinations.save(row);
  }
}
