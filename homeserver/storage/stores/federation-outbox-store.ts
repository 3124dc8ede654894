import { sql } from "kysely";
import type { Db, Tx } from "../database.js";

/** One EDU for one destination, as written to the outbox. `content` is JSON text. */
export interface OutboxEduRow {
  destination: string;
  eduType: string;
  content: string;
}

/** A stored outbox EDU: its position in the destination's queue and what it carries. */
export interface PendingOutboxEdu {
  streamId: number;
  eduType: string;
  content: string;
}

/** A device of a local user as a device list update or GET /user/devices describes it. */
export interface DeviceSnapshot {
  deviceId: string;
  /** Absent when the device no longer exists. */
  exists: boolean;
  /** The device keys as stored (JSON text), null when it has none. */
  keyJson: string | null;
  displayName: string | null;
}

/** Joined membership of a user in current state, as SQL over current_state aliased `alias`. */
const joined = (alias: string) => sql`${sql.raw(alias)}.type = 'm.room.member' AND ${sql.raw(alias)}.membership = 'join'`;
/** The server part of a user id column (everything after the first colon). */
const serverPart = (column: string) => sql`substring(${sql.ref(column)} from position(':' in ${sql.ref(column)}) + 1)`;

/**
 * The federation side of device messaging: the durable EDU outbox (federation_outbox_edus), the per-user stream of
 * outgoing device list updates and the last applied update of remote users, the ids of the to-device EDUs already
 * delivered, and the reads those need (who shares a room with whom, a user's devices and keys). Fan-outs are one
 * statement whatever their size: rows travel as one JSON parameter.
 */
export class FederationOutboxStore {
  constructor(private readonly db: Db) {}

  /** Queues EDUs in `tx`, in the order given (each destination reads its rows in that order). */
  async enqueue(tx: Tx, rows: readonly OutboxEduRow[], ts: number): Promise<void> {
    if (rows.length === 0) return;
    const json = JSON.stringify(rows.map((r, i) => ({ i, destination: r.destination, edu_type: r.eduType, content: r.content })));
    await sql`
      INSERT INTO federation_outbox_edus (destination, edu_type, content, created_ts)
      SELECT r.destination, r.edu_type, r.content, ${ts}::bigint
      FROM jsonb_to_recordset(${json}::jsonb) AS r(i integer, destination text, edu_type text, content text)
      ORDER BY r.i`.execute(tx);
  }

  /** The oldest `limit` EDUs waiting for `destination`. */
  async pending(destination: string, limit: number): Promise<PendingOutboxEdu[]> {
    const { rows } = await sql<{ stream_id: number; edu_type: string; content: string }>`
      SELECT stream_id, edu_type, content FROM federation_outbox_edus
      WHERE destination = ${destination} ORDER BY stream_id LIMIT ${limit}`.execute(this.db);
    return rows.map((r) => ({ streamId: Number(r.stream_id), eduType: r.edu_type, content: r.content }));
  }

  /** Deletes EDUs the destination has accepted. */
  async delete(destination: string, streamIds: readonly number[]): Promise<void> {
    if (streamIds.length === 0) return;
    await sql`
      DELETE FROM federation_outbox_edus
      WHERE destination = ${destination} AND stream_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(streamIds)}::jsonb)::bigint)`.execute(this.db);
  }

  /** The destinations with EDUs waiting, for the sender's start. */
  async destinationsWithPending(): Promise<string[]> {
    const { rows } = await sql<{ destination: string }>`SELECT DISTINCT destination FROM federation_outbox_edus ORDER BY destination`.execute(this.db);
    return rows.map((r) => r.destination);
  }

  /** How many EDUs wait for `destination` (tests, admin). */
  async countPending(destination: string): Promise<number> {
    const { rows } = await sql<{ n: number }>`SELECT count(*)::integer AS n FROM federation_outbox_edus WHERE destination = ${destination}`.execute(this.db);
    return Number(rows[0]?.n ?? 0);
  }

  /** The other servers with a user joined to a room `userId` is joined to. */
  async serversSharingRoomsWith(executor: Db | Tx, userId: string, ourServer: string): Promise<string[]> {
    const { rows } = await sql<{ server: string }>`
      SELECT DISTINCT ${serverPart("theirs.state_key")} AS server
      FROM current_state mine JOIN current_state theirs ON theirs.room_id = mine.room_id
      WHERE ${joined("mine")} AND mine.state_key = ${userId} AND ${joined("theirs")}
      ORDER BY 1`.execute(executor);
    return rows.map((r) => r.server).filter((server) => server !== ourServer && server !== "");
  }

  /** Whether `userId` is joined to a room where a user of `ourServer` is joined too. */
  async sharesRoomWithLocalUser(userId: string, ourServer: string): Promise<boolean> {
    const suffix = `:${ourServer}`;
    const { rows } = await sql<{ one: number }>`
      SELECT 1 AS one FROM current_state theirs JOIN current_state ours ON ours.room_id = theirs.room_id
      WHERE ${joined("theirs")} AND theirs.state_key = ${userId}
        AND ${joined("ours")} AND right(ours.state_key, ${suffix.length}) = ${suffix}
      LIMIT 1`.execute(this.db);
    return rows.length > 0;
  }

  /**
   * Takes `count` new ids on `userId`'s device list stream and returns the previous one (0: none yet). The row lock
   * it takes makes concurrent changes of one user take their ids one after the other, in commit order.
   */
  async nextDeviceListStreamIds(tx: Tx, userId: string, count: number): Promise<{ previous: number; ids: number[] }> {
    const { rows } = await sql<{ stream_id: number }>`
      INSERT INTO device_list_outbound_streams (user_id, stream_id) VALUES (${userId}, ${count})
      ON CONFLICT (user_id) DO UPDATE SET stream_id = device_list_outbound_streams.stream_id + ${count}
      RETURNING stream_id`.execute(tx);
    const last = Number(rows[0].stream_id);
    const previous = last - count;
    return { previous, ids: Array.from({ length: count }, (_, i) => previous + 1 + i) };
  }

  /**
   * The named devices of a local user (or all of them when `deviceIds` is undefined) as they stand in `executor`'s
   * snapshot, deleted ones included as `exists: false`.
   */
  async deviceSnapshots(executor: Db | Tx, userId: string, deviceIds: readonly string[] | undefined): Promise<DeviceSnapshot[]> {
    const { rows } = await sql<{ device_id: string; present: boolean; key_json: string | null; display_name: string | null }>`
      WITH wanted AS (
        ${
          deviceIds === undefined
            ? sql`SELECT device_id FROM devices WHERE user_id = ${userId}`
            : sql`SELECT DISTINCT jsonb_array_elements_text(${JSON.stringify(deviceIds)}::jsonb) AS device_id`
        }
      )
      SELECT w.device_id, d.device_id IS NOT NULL AS present, k.key_json, d.display_name
      FROM wanted w
      LEFT JOIN devices d ON d.user_id = ${userId} AND d.device_id = w.device_id
      LEFT JOIN e2e_device_keys k ON k.user_id = d.user_id AND k.device_id = d.device_id
      ORDER BY w.device_id`.execute(executor);
    return rows.map((r) => ({ deviceId: r.device_id, exists: Boolean(r.present), keyJson: r.key_json, displayName: r.display_name }));
  }

  /** GET /user/devices: a user's devices with keys and the stream id they stand at, read in one snapshot. */
  async userDevices(userId: string): Promise<{ streamId: number; devices: Array<{ deviceId: string; keyJson: string; displayName: string | null }> }> {
    const { rows } = await sql<{ stream_id: number | null; device_id: string | null; key_json: string | null; display_name: string | null }>`
      SELECT s.stream_id, k.device_id, k.key_json, d.display_name
      FROM (SELECT 1) AS one
      LEFT JOIN device_list_outbound_streams s ON s.user_id = ${userId}
      LEFT JOIN (e2e_device_keys k JOIN devices d ON d.user_id = k.user_id AND d.device_id = k.device_id) ON k.user_id = ${userId}
      ORDER BY k.device_id`.execute(this.db);
    const streamId = Number(rows[0]?.stream_id ?? 0);
    const devices = rows.filter((r) => r.device_id !== null && r.key_json !== null).map((r) => ({ deviceId: r.device_id!, keyJson: r.key_json!, displayName: r.display_name }));
    return { streamId, devices };
  }

  /** The stream id of the last device list update of a remote user we applied; undefined when we have none. */
  async remoteDeviceListPosition(userId: string): Promise<number | undefined> {
    const { rows } = await sql<{ stream_id: number }>`SELECT stream_id FROM device_list_remote_positions WHERE user_id = ${userId}`.execute(this.db);
    return rows.length === 0 ? undefined : Number(rows[0].stream_id);
  }

  async setRemoteDeviceListPosition(tx: Tx, userId: string, streamId: number, ts: number): Promise<void> {
    await sql`
      INSERT INTO device_list_remote_positions (user_id, stream_id, updated_ts) VALUES (${userId}, ${streamId}, ${ts})
      ON CONFLICT (user_id) DO UPDATE SET stream_id = EXCLUDED.stream_id, updated_ts = EXCLUDED.updated_ts`.execute(tx);
  }

  /** Records a delivered m.direct_to_device EDU; false when it was recorded before (a retried transaction). */
  async firstDelivery(tx: Tx, origin: string, messageId: string, ts: number): Promise<boolean> {
    const { rows } = await sql<{ message_id: string }>`
      INSERT INTO federation_inbound_to_device (origin, message_id, received_ts) VALUES (${origin}, ${messageId}, ${ts})
      ON CONFLICT DO NOTHING RETURNING message_id`.execute(tx);
    return rows.length > 0;
  }

  /**
   * The periodic pruning: ids of delivered inbound to-device EDUs older than `inboundBefore`, and PUT /sendToDevice
   * request ids older than `toDeviceTxnsBefore` (a client retries within minutes, not days). The latter is to-device's
   * own table, pruned here so that its store stays as it is.
   */
  async prune(cutoffs: { inboundBefore: number; toDeviceTxnsBefore: number }): Promise<{ inbound: number; toDeviceTxns: number }> {
    const count = async (query: ReturnType<typeof sql>) => {
      const { rows } = await sql<{ n: number }>`WITH deleted AS (${query} RETURNING 1) SELECT count(*)::integer AS n FROM deleted`.execute(this.db);
      return Number(rows[0]?.n ?? 0);
    };
    const inbound = await count(sql`DELETE FROM federation_inbound_to_device WHERE received_ts < ${cutoffs.inboundBefore}`);
    const toDeviceTxns = await count(sql`DELETE FROM to_device_txns WHERE created_ts < ${cutoffs.toDeviceTxnsBefore}`);
    return { inbound, toDeviceTxns };
  }
}
