import { sql, type Kysely } from "kysely";

// End-to-end encryption keys that devices publish: their identity keys (one signed object per device), their
// one-time keys (each handed out once, then deleted) and one fallback key per algorithm (handed out when the
// one-time keys run out, and kept, marked used, until the device replaces it).
// Each table references its device with ON DELETE CASCADE: every way a device goes (DELETE /devices, logout,
// logout/all, deactivation, a password change that logs out other devices) takes its keys with it, and a
// key can never be stored for a device that no longer exists.
// Key JSON is kept as the canonical JSON text the device sent: comparing a re-upload is a string comparison.
// The primary keys start with (user_id, device_id), so the sync layer's per-device reads (one-time key
// counts by algorithm, unused fallback key types) are index range scans.
const STATEMENTS = [
  `CREATE TABLE e2e_device_keys (
     user_id text NOT NULL,
     device_id text NOT NULL,
     key_json text NOT NULL,
     added_ts bigint NOT NULL,
     PRIMARY KEY (user_id, device_id),
     FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
   )`,
  // upload_seq orders claims: one-time keys are given out in the order they were uploaded.
  `CREATE TABLE e2e_one_time_keys (
     user_id text NOT NULL,
     device_id text NOT NULL,
     algorithm text NOT NULL,
     key_id text NOT NULL,
     key_json text NOT NULL,
     upload_seq bigserial NOT NULL,
     PRIMARY KEY (user_id, device_id, algorithm, key_id),
     FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
   )`,
  `CREATE INDEX e2e_one_time_keys_claim_order ON e2e_one_time_keys (user_id, device_id, algorithm, upload_seq)`,
  `CREATE TABLE e2e_fallback_keys (
     user_id text NOT NULL,
     device_id text NOT NULL,
     algorithm text NOT NULL,
     key_id text NOT NULL,
     key_json text NOT NULL,
     used boolean NOT NULL DEFAULT false,
     PRIMARY KEY (user_id, device_id, algorithm),
     FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
   )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(): Promise<void> {
  throw new Error("irreversible");
}
