import { sql } from "kysely";
import { PREPARED } from "../prepared-statements.js";
import type { Db } from "../database.js";
import type { IdentifiedPdu } from "../../events/pdu.js";
import type { TxnIdRow } from "./events-store.js";
import { insertOwnPushSql, insertRoomPushSql, ownReadsJson, recordOwnReadsSql, recordPushThreadsSql, NO_PUSH_OUTCOMES, ownPushJson, roomPushJson, type PushOutcomes } from "./push-actions-store.js";

export interface AppendedMessage {
  streamPos: number;
  pdu: IdentifiedPdu;
  senderDevice: string | null;
  txnId: string | null;
}

/**
 * The hot path of a busy room: a batch of non-state events written in ONE statement, with no explicit
 * transaction. Data-modifying CTEs run atomically as part of that statement, so the room sequence bump,
 * the events, their transaction ids, the new forward extremity and who the events notify (push actions)
 * all commit together or not at all —
 * one round trip to the database instead of six (BEGIN, sequence, events, extremities, COMMIT, plus the
 * client-side work of each). Rows travel as one JSON parameter so every column has an explicit type.
 */
export class MessageAppendStore {
  constructor(private readonly db: Db) {}

  async append(
    roomId: string,
    stateGroup: number | null,
    messages: readonly AppendedMessage[],
    txnIds: readonly TxnIdRow[],
    extremities: { remove: readonly string[]; add: string },
    push: PushOutcomes = NO_PUSH_OUTCOMES,
  ): Promise<{ firstRoomSeq: number }> {
    const rows = messages.map((m, i) => ({
      i,
      stream_pos: m.streamPos,
      event_id: m.pdu.event_id,
      type: m.pdu.type,
      sender: m.pdu.sender,
      depth: m.pdu.depth,
      origin_server_ts: m.pdu.origin_server_ts,
      json: JSON.stringify(m.pdu),
      sender_device: m.senderDevice,
      txn_id: m.txnId,
    }));
    const count = messages.length;
    const remove = extremities.remove.filter((id) => id !== extremities.add);
    const result = await sql<{ room_seq: number }>`${sql.raw(PREPARED)}
      WITH seq AS (
        UPDATE rooms SET last_seq = last_seq + ${count} WHERE room_id = ${roomId} RETURNING last_seq
      ), recorded_txns AS (
        INSERT INTO txn_ids (user_id, device_id, scope, txn_id, event_id, room_id, created_ts)
        SELECT t.user_id, t.device_id, t.scope, t.txn_id, t.event_id, t.room_id, t.created_ts
        FROM seq, jsonb_to_recordset(${JSON.stringify(txnIds)}::jsonb)
          AS t(user_id text, device_id text, scope text, txn_id text, event_id text, room_id text, created_ts bigint)
      ), removed AS (
        DELETE FROM forward_extremities
        WHERE EXISTS (SELECT 1 FROM seq) AND room_id = ${roomId} AND event_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(remove)}::jsonb))
      ), added AS (
        INSERT INTO forward_extremities (room_id, event_id) SELECT ${roomId}, ${extremities.add} FROM seq ON CONFLICT DO NOTHING
      )${push.room.length > 0 ? roomPushCtes(roomPushJson(push.room)) : sql``}${
        push.own.length > 0 ? sql`, notified_own AS (${insertOwnPushSql(ownPushJson(push.own), sql`seq,`)})` : sql``
      }${push.reads.length > 0 ? sql`, own_reads AS (${recordOwnReadsSql(ownReadsJson(push.reads), sql`seq,`)})` : sql``}
      INSERT INTO events (stream_pos, event_id, room_id, room_seq, type, state_key, sender, depth, origin_server_ts,
        membership, json, unsigned_json, sender_device, txn_id, redacted_by, state_group_before, state_group_after,
        outlier, soft_failed, rejected_reason)
      SELECT e.stream_pos, e.event_id, ${roomId}, seq.last_seq - ${count} + 1 + e.i, e.type, NULL, e.sender, e.depth,
        e.origin_server_ts, NULL, e.json, NULL, e.sender_device, e.txn_id, NULL, ${stateGroup}::bigint, ${stateGroup}::bigint,
        false, false, NULL
      FROM seq, jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        AS e(i integer, stream_pos bigint, event_id text, type text, sender text, depth bigint, origin_server_ts bigint,
             json text, sender_device text, txn_id text)
      RETURNING room_seq`.execute(this.db);
    // No rooms row: every part hangs off the sequence UPDATE, which matched nothing, so nothing was written.
    if (result.rows.length !== count) throw new Error(`room ${roomId} is not stored; ${result.rows.length} of ${count} events written`);
    // Message i took room_seq first + i; RETURNING promises no order, so take the smallest.
    return { firstRoomSeq: Math.min(...result.rows.map((row) => Number(row.room_seq))) };
  }
}

/** The room push rows and their threads, as CTEs of the append (each hangs off its sequence update). */
const roomPushCtes = (json: string) =>
  sql`, notified_room AS (${insertRoomPushSql(json, sql`seq,`)}), notified_threads AS (${recordPushThreadsSql(json, sql`seq,`)})`;
