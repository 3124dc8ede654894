import { sql } from "kysely";
import type { Db, Tx } from "../database.js";

/** A room state map: `${type}\0${state_key}` -> event id (see stateKeyOf in events/pdu.ts). */
export type StateMap = Map<string, string>;

const SNAPSHOT_EVERY = 64;

/**
 * State groups answer "what was the state at event X". Each group is a delta over a previous group, with
 * a full snapshot every SNAPSHOT_EVERY steps so that a lookup reads a bounded chain (Synapse's model).
 */
export class StateStore {
  constructor(private readonly db: Db) {}

  /** Stores the state `prevGroup` + `delta` as a new group and returns its id. */
  async createGroup(
    tx: Tx,
    roomId: string,
    prevGroup: number | null,
    delta: StateMap,
    fullState: () => Promise<StateMap>,
  ): Promise<number> {
    let chainLength = 0;
    if (prevGroup !== null) {
      const prev = await tx.selectFrom("state_groups").select("chain_length").where("id", "=", prevGroup).executeTakeFirstOrThrow();
      chainLength = Number(prev.chain_length) + 1;
    }
    const snapshot = prevGroup === null || chainLength >= SNAPSHOT_EVERY;
    const entries = snapshot ? await fullState() : delta;
    const group = await tx
      .insertInto("state_groups")
      .values({ room_id: roomId, prev_group: snapshot ? null : prevGroup, chain_length: snapshot ? 0 : chainLength })
      .returning("id")
      .executeTakeFirstOrThrow();
    const id = Number(group.id);
    const rows = [...entries].map(([key, eventId]) => {
      const [type, stateKey] = splitKey(key);
      return { group_id: id, type, state_key: stateKey, event_id: eventId };
    });
    for (let i = 0; i < rows.length; i += 1000) {
      await tx.insertInto("state_group_entries").values(rows.slice(i, i + 1000)).execute();
    }
    return id;
  }

  async getState(group: number, db: Db | Tx = this.db): Promise<StateMap> {
    const { rows } = await sql<{ type: string; state_key: string; event_id: string; depth: number }>`
      WITH RECURSIVE chain(id, prev_group, depth) AS (
        SELECT id, prev_group, 0 FROM state_groups WHERE id = ${group}
        UNION ALL
        SELECT g.id, g.prev_group, c.depth + 1 FROM state_groups g JOIN chain c ON g.id = c.prev_group
      )
      SELECT e.type, e.state_key, e.event_id, c.depth
      FROM chain c JOIN state_group_entries e ON e.group_id = c.id
      ORDER BY c.depth DESC`.execute(db);
    const state: StateMap = new Map();
    // Deepest (oldest) first, so nearer deltas overwrite.
    for (const row of rows) state.set(`${row.type}\u0000${row.state_key}`, row.event_id);
    return state;
  }
}

export function splitKey(key: string): [string, string] {
  const i = key.indexOf("\u0000");
  return [key.slice(0, i), key.slice(i + 1)];
}
