/**
 * The database floor under the keys bench's query and share: the same rows read and written straight through
 * pg on the bench's PostgreSQL database, with no Myelin in between, in tables of their own that are dropped
 * after. Whatever Myelin does, a request cannot take less than its database work; these say how much that is.
 *   - query: a SELECT of `devices` rows of a device key's size (about 470 bytes of JSON text) for their users;
 *   - share: `devices` messages of the share's size written as `chunks` concurrent transactions, each one
 *     statement (json_to_recordset, as Myelin writes them) and a commit.
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import pg from "pg";

export interface KeysFloor {
  queryMs: number;
  shareMs: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function measureKeysFloor(databaseUrl: string, options: { users: number; chunks: number; messageBytes: number; repeats: number }): Promise<KeysFloor> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: options.chunks });
  const suffix = randomBytes(4).toString("hex");
  const keysTable = `bench_floor_keys_${suffix}`;
  const messagesTable = `bench_floor_messages_${suffix}`;
  try {
    await pool.query(`CREATE TABLE ${keysTable} (user_id text, device_id text, key_json text NOT NULL, PRIMARY KEY (user_id, device_id))`);
    await pool.query(`CREATE TABLE ${messagesTable} (user_id text, device_id text, stream_pos bigint, content text NOT NULL, PRIMARY KEY (user_id, device_id, stream_pos))`);
    const users = Array.from({ length: options.users }, (_, i) => `@floor${i}:bench.local`);
    const devices = users.flatMap((userId) => ["A", "B"].map((deviceId) => ({ userId, deviceId })));
    const keyJson = JSON.stringify({ algorithms: ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"], keys: { a: randomBytes(32).toString("base64"), b: randomBytes(32).toString("base64") }, signatures: { x: { y: randomBytes(64).toString("base64") } } });
    await pool.query(
      `INSERT INTO ${keysTable} SELECT k.user_id, k.device_id, k.key_json FROM json_to_recordset($1::json) AS k(user_id text, device_id text, key_json text)`,
      [JSON.stringify(devices.map((d) => ({ user_id: d.userId, device_id: d.deviceId, key_json: keyJson.replace("}", `,"user_id":${JSON.stringify(d.userId)}}`) })))],
    );
    await pool.query(`ANALYZE ${keysTable}`);
    const queryTimes: number[] = [];
    for (let round = -1; round < options.repeats; round++) {
      const started = performance.now();
      await pool.query(`SELECT user_id, device_id, key_json FROM ${keysTable} WHERE user_id = ANY($1::text[])`, [users]);
      if (round >= 0) queryTimes.push(performance.now() - started);
    }
    const body = randomBytes(options.messageBytes).toString("base64");
    const perChunk = Math.ceil(devices.length / options.chunks);
    const shareTimes: number[] = [];
    let position = 0;
    for (let round = -1; round < options.repeats; round++) {
      const started = performance.now();
      await Promise.all(
        Array.from({ length: options.chunks }, async (_, c) => {
          const rows = devices.slice(c * perChunk, (c + 1) * perChunk).map((d) => ({ user_id: d.userId, device_id: d.deviceId, stream_pos: ++position, content: { algorithm: "m.olm.v1.curve25519-aes-sha2", ciphertext: { [d.deviceId]: { type: 0, body } } } }));
          const client = await pool.connect();
          try {
            await client.query("BEGIN");
            await client.query(
              `INSERT INTO ${messagesTable} SELECT m.user_id, m.device_id, m.stream_pos, m.content::text FROM json_to_recordset($1::json) AS m(user_id text, device_id text, stream_pos bigint, content json)`,
              [JSON.stringify(rows)],
            );
            await client.query("COMMIT");
          } finally {
            client.release();
          }
        }),
      );
      if (round >= 0) shareTimes.push(performance.now() - started);
    }
    return { queryMs: median(queryTimes), shareMs: median(shareTimes) };
  } finally {
    await pool.query(`DROP TABLE IF EXISTS ${keysTable}`).catch(() => {});
    await pool.query(`DROP TABLE IF EXISTS ${messagesTable}`).catch(() => {});
    await pool.end();
  }
}
