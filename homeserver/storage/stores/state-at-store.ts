import { sql, type RawBuilder } from "kysely";
import type { Db } from "../database.js";

/** Which entries of a state map to read; entries matching any of the parts are returned. Empty = everything. */
export interface StateSelector {
  /** Exact (type, state_key) pairs, e.g. the history visibility and one user's membership. */
  keys?: ReadonlyArray<readonly [string, string]>;
  /** Every entry of these types, e.g. all m.room.member for /members. */
  types?: readonly string[];
  /** Every entry whose type is none of these, e.g. all but m.room.member for lazy-loading. */
  typesExcept?: readonly string[];
}

export interface StateEntry {
  /** The state group the lookup started from. */
  group: number;
  type: string;
  stateKey: string;
  eventId: string;
}

/**
 * Targeted reads of the state at state groups. StateStore.getState loads a whole map, which for a room with
 * 10,000 members is 10,000 rows; sync and history visibility mostly need two or three entries, so this walks
 * the same delta chain but filters the entries in SQL, for several groups in one query.
 */
export class StateAtStore {
  constructor(private readonly db: Db) {}

  async select(groups: readonly number[], selector: StateSelector = {}): Promise<StateEntry[]> {
    const unique = [...new Set(groups)];
    if (unique.length === 0) return [];
    const condition = conditionFor(selector);
    if (condition === false) return [];
    const { rows } = await sql<{ root: number; type: string; state_key: string; event_id: string }>`
      WITH RECURSIVE chain(root, id, prev_group, depth) AS (
        SELECT id, id, prev_group, 0 FROM state_groups WHERE id IN (${sql.join(unique)})
        UNION ALL
        SELECT c.root, g.id, g.prev_group, c.depth + 1 FROM state_groups g JOIN chain c ON g.id = c.prev_group
      )
      SELECT DISTINCT ON (c.root, e.type, e.state_key) c.root, e.type, e.state_key, e.event_id
      FROM chain c JOIN state_group_entries e ON e.group_id = c.id
      WHERE ${condition}
      ORDER BY c.root, e.type, e.state_key, c.depth ASC`.execute(this.db);
    // The nearest delta wins (lowest depth), which DISTINCT ON keeps.
    return rows.map((r) => ({ group: Number(r.root), type: r.type, stateKey: r.state_key, eventId: r.event_id }));
  }
}

function conditionFor(selector: StateSelector): RawBuilder<unknown> | false {
  const parts: RawBuilder<unknown>[] = [];
  if (selector.keys && selector.keys.length > 0) {
    parts.push(sql`(e.type, e.state_key) IN (${sql.join(selector.keys.map(([type, key]) => sql`(${type}, ${key})`))})`);
  }
  if (selector.types && selector.types.length > 0) parts.push(sql`e.type IN (${sql.join([...selector.types])})`);
  if (selector.typesExcept) {
    parts.push(selector.typesExcept.length > 0 ? sql`e.type NOT IN (${sql.join([...selector.typesExcept])})` : sql`TRUE`);
  }
  const asked = selector.keys !== undefined || selector.types !== undefined || selector.typesExcept !== undefined;
  if (parts.length === 0) return asked ? false : sql`TRUE`;
  return sql`(${sql.join(parts, sql` OR `)})`;
}
