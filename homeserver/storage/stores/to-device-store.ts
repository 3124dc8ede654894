import { sql } from "kysely";
import type { Db, Tx } from "../database.js";

/** The stream_high_water row of the to-device stream (homeserver/app reads it at start). */
export const TO_DEVICE_STREAM = "toDevice";

/** An escaped UTF-16 surrogate (a false match, an escaped backslash before "ud8", only takes the slower path). */
const LONE_SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/** One addressee of a request: a device, or `*` for every device of the user. */
export interface ToDeviceTarget {
  userId: string;
  /** A device id, or `*`. */
  deviceId: string;
}

/** One queued message for one device. */
export interface ToDeviceRow {
  userId: string;
  deviceId: string;
  streamPos: number;
  sender: string;
  type: string;
  /** Stored as its JSON text. */
  content: Record<string, unknown>;
  messageId: string;
}

/** What a device's sync reads: the message as the client gets it, with its position. */
export interface PendingToDevice {
  streamPos: number;
  sender: string;
  type: string;
  content: string;
}

export interface ToDeviceTxn {
  userId: string;
  deviceId: string;
  eventType: string;
  txnId: string;
}

/**
 * The to-device queues (to_device_messages, one per device, deleted as the device acknowledges them), the
 * request ids that make PUT /sendToDevice idempotent (to_device_txns), and the stream's high-water mark. A request
 * to a thousand devices is a few statements whatever its size: addressees, devices and rows each travel as one JSON
 * parameter.
 */
export class ToDeviceStore {
  constructor(private readonly db: Db) {}

  /**
   * Records a request id; false when it was recorded before (a retry). A retry racing the first request waits on
   * the first one's uncommitted row, so exactly one of them goes on to write messages.
   */
  async recordTxn(tx: Tx, txn: ToDeviceTxn, ts: number): Promise<boolean> {
    const { rows } = await sql<{ txn_id: string }>`
      INSERT INTO to_device_txns (user_id, device_id, event_type, txn_id, created_ts)
      VALUES (${txn.userId}, ${txn.deviceId}, ${txn.eventType}, ${txn.txnId}, ${ts})
      ON CONFLICT DO NOTHING RETURNING txn_id`.execute(tx);
    return rows.length > 0;
  }

  /**
   * The devices that exist among `targets` (`*` expanded to all of the user's), in the order of `targets`, a
   * wildcard's devices by id. Unknown users and devices are left out. The device rows are locked (KEY SHARE) until
   * the transaction ends, so a device deleted meanwhile waits for the messages and then takes them with it
   * (ON DELETE CASCADE) instead of failing their insert.
   */
  async existingDevices(tx: Tx, targets: readonly ToDeviceTarget[]): Promise<Array<{ target: number; userId: string; deviceId: string }>> {
    if (targets.length === 0) return [];
    const json = JSON.stringify(targets.map((t, i) => ({ i, user_id: t.userId, device_id: t.deviceId })));
    const { rows } = await sql<{ i: number; user_id: string; device_id: string }>`
      SELECT t.i, d.user_id, d.device_id
      FROM jsonb_to_recordset(${json}::jsonb) AS t(i integer, user_id text, device_id text)
      JOIN devices d ON d.user_id = t.user_id AND (t.device_id = '*' OR d.device_id = t.device_id)
      ORDER BY t.i, d.device_id
      FOR KEY SHARE OF d`.execute(tx);
    return rows.map((r) => ({ target: Number(r.i), userId: r.user_id, deviceId: r.device_id }));
  }

  /**
   * Queues the rows in ONE statement; with `highWater`, the same statement also raises the stream's high-water
   * mark to it (the publisher resumes from the mark after a restart, when delivered rows are gone, so every
   * stored position must be at or below it).
   */
  async insert(tx: Tx, rows: readonly ToDeviceRow[], highWater?: number): Promise<void> {
    if (rows.length === 0) return;
    const wire = rows.map((r) => ({ user_id: r.userId, device_id: r.deviceId, stream_pos: r.streamPos, sender: r.sender, type: r.type, content: r.content, message_id: r.messageId }));
    let json = JSON.stringify(wire);
    // json, not jsonb, and each content as JSON inside the rows' JSON: it is taken as the text it is in the
    // parameter (encoded once, not as a string inside a string, and not reparsed into jsonb), which on a room key
    // to a thousand devices is most of the request's bytes. PostgreSQL's json refuses a lone surrogate's escape
    // (JSON.stringify writes one for each lone surrogate, and only then), which a client's JSON may carry: such
    // a request sends each content as a string instead, as text it keeps whatever it holds.
    let content = sql`m.content::text`;
    let contentType = sql`json`;
    if (LONE_SURROGATE_ESCAPE.test(json)) {
      json = JSON.stringify(wire.map((w) => ({ ...w, content: JSON.stringify(w.content) })));
      content = sql`m.content`;
      contentType = sql`text`;
    }
    const queue = sql`
        INSERT INTO to_device_messages (user_id, device_id, stream_pos, sender, type, content, message_id)
        SELECT m.user_id, m.device_id, m.stream_pos, m.sender, m.type, ${content}, m.message_id
        FROM json_to_recordset(${json}::json)
          AS m(user_id text, device_id text, stream_pos bigint, sender text, type text, content ${contentType}, message_id text)`;
    if (highWater === undefined) {
      await queue.execute(tx);
      return;
    }
    await sql`
      WITH queued AS (${queue})
      INSERT INTO stream_high_water (stream, position) VALUES (${TO_DEVICE_STREAM}, ${highWater})
      ON CONFLICT (stream) DO UPDATE SET position = GREATEST(stream_high_water.position, EXCLUDED.position)`.execute(tx);
  }

  /**
   * One device's sync, in one round trip: deletes what it acknowledged (positions up to `acknowledged`, when
   * given) and reads, oldest first, at most `limit` messages after `after` up to `upTo`. The delete and the read
   * see the same snapshot and touch disjoint rows when `acknowledged` <= `after`.
   */
  async acknowledgeAndRead(
    userId: string,
    deviceId: string,
    window: { acknowledged?: number; after: number; upTo: number; limit: number },
  ): Promise<PendingToDevice[]> {
    const read = sql`
      SELECT stream_pos, sender, type, content FROM to_device_messages
      WHERE user_id = ${userId} AND device_id = ${deviceId} AND stream_pos > ${window.after} AND stream_pos <= ${window.upTo}
      ORDER BY stream_pos LIMIT ${window.limit}`;
    const query =
      window.acknowledged === undefined
        ? read
        : sql`WITH acknowledged AS (
            DELETE FROM to_device_messages WHERE user_id = ${userId} AND device_id = ${deviceId} AND stream_pos <= ${window.acknowledged}
          ) ${read}`;
    const { rows } = await sql<{ stream_pos: number; sender: string; type: string; content: string }>`${query}`.execute(this.db);
    return rows.map((r) => ({ streamPos: Number(r.stream_pos), sender: r.sender, type: r.type, content: r.content }));
  }

  /** How many messages wait for the device (tests, admin). */
  async countPending(userId: string, deviceId: string): Promise<number> {
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::integer AS n FROM to_device_messages WHERE user_id = ${userId} AND device_id = ${deviceId}`.execute(this.db);
    return Number(rows[0]?.n ?? 0);
  }

  async highWater(): Promise<number> {
    const { rows } = await sql<{ position: number }>`SELECT position FROM stream_high_water WHERE stream = ${TO_DEVICE_STREAM}`.execute(this.db);
    return Number(rows[0]?.position ?? 0);
  }
}
