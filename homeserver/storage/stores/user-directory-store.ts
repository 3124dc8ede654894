import { sql, type RawBuilder } from "kysely";
import type { Db } from "../database.js";

export interface DirectoryUser {
  userId: string;
  displayName: string | null;
  avatarUrl: string | null;
}

export interface DirectoryQuery {
  searcher: string;
  /** Lower-cased words; each must start a word of the user id or the display name. */
  words: readonly string[];
  /** The whole term, lower-cased: a display name or id starting with it ranks first. */
  term: string;
  /** Every local user, not only those visible through rooms. */
  allLocalUsers: boolean;
  limit: number;
}

/**
 * The user directory, read from current membership and profiles at search time (no table of its own to
 * keep in step): a profile change, a join or a leave is visible to the next search.
 *
 * Visible to the searcher: the joined members of the rooms the searcher is joined to, and of every room
 * whose join rule is public or whose history is world_readable (the spec's minimum), plus every local user
 * when `allLocalUsers`. Local users carry their global profile and are left out once deactivated; users of
 * other servers carry the profile of their newest join event. Event JSON is read through `json` (not
 * `jsonb`, which refuses the whole document over one \u0000 escape), and a remote member event holding
 * such an escape gives no profile rather than an error.
 */
export class UserDirectoryStore {
  constructor(private readonly db: Db) {}

  /** Up to `limit` + 1 matches, best first: the caller learns from the extra one that there were more. */
  async search(query: DirectoryQuery): Promise<DirectoryUser[]> {
    if (query.words.length === 0) return [];
    const matches = sql.join(
      query.words.map((word) => sql`(p.user_id ~* ${`\\m${word}`} OR p.display_name ~* ${`\\m${word}`})`),
      sql` AND `,
    );
    const startsWithTerm = (column: RawBuilder<unknown>) => sql`starts_with(lower(${column}), ${query.term})`;
    const { rows } = await sql<{ user_id: string; display_name: string | null; avatar_url: string | null }>`
      WITH my_rooms AS (
        SELECT room_id FROM current_state
        WHERE type = 'm.room.member' AND state_key = ${query.searcher} AND membership = 'join'
      ),
      open_rooms AS (
        SELECT cs.room_id FROM current_state cs JOIN events e ON e.event_id = cs.event_id
        WHERE cs.state_key = '' AND cs.type IN ('m.room.join_rules', 'm.room.history_visibility')
          AND CASE cs.type
                WHEN 'm.room.join_rules' THEN (e.json::json -> 'content' -> 'join_rule')::text = '"public"'
                ELSE (e.json::json -> 'content' -> 'history_visibility')::text = '"world_readable"'
              END
      ),
      candidates AS (
        SELECT m.state_key AS user_id, m.room_id IN (SELECT room_id FROM my_rooms) AS shared
        FROM current_state m
        WHERE m.type = 'm.room.member' AND m.membership = 'join'
          AND (m.room_id IN (SELECT room_id FROM my_rooms) OR m.room_id IN (SELECT room_id FROM open_rooms))
        UNION ALL
        SELECT user_id, false FROM users WHERE ${query.allLocalUsers}
      ),
      visible AS (
        SELECT user_id, bool_or(shared) AS shared FROM candidates GROUP BY user_id
      ),
      profiles AS (
        SELECT v.user_id, v.shared,
          CASE WHEN u.user_id IS NOT NULL THEN u.displayname ELSE r.display_name END AS display_name,
          CASE WHEN u.user_id IS NOT NULL THEN u.avatar_url ELSE r.avatar_url END AS avatar_url
        FROM visible v
        LEFT JOIN users u ON u.user_id = v.user_id
        LEFT JOIN LATERAL (
          SELECT
            CASE WHEN json_typeof(c -> 'displayname') = 'string' THEN c ->> 'displayname' END AS display_name,
            CASE WHEN json_typeof(c -> 'avatar_url') = 'string' THEN c ->> 'avatar_url' END AS avatar_url
          FROM (
            SELECT e.json::json -> 'content' AS c
            FROM current_state cs JOIN events e ON e.event_id = cs.event_id
            WHERE cs.type = 'm.room.member' AND cs.state_key = v.user_id AND cs.membership = 'join'
              AND strpos(e.json, '\\u0000') = 0
            ORDER BY cs.stream_pos DESC
            LIMIT 1
          ) newest
        ) r ON u.user_id IS NULL
        WHERE u.deactivated IS NOT TRUE
      )
      SELECT p.user_id, p.display_name, p.avatar_url FROM profiles p
      WHERE ${matches}
      ORDER BY p.shared DESC,
        (${startsWithTerm(sql`p.display_name`)} OR ${startsWithTerm(sql`substr(p.user_id, 2)`)}) IS TRUE DESC,
        p.display_name IS NULL, p.avatar_url IS NULL,
        lower(coalesce(p.display_name, p.user_id)), p.user_id
      LIMIT ${query.limit + 1}`.execute(this.db);
    return rows.map((row) => ({ userId: row.user_id, displayName: row.display_name, avatarUrl: row.avatar_url }));
  }
}
