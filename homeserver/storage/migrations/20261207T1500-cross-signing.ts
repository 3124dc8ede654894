import { sql, type Kysely } from "kysely";

// Cross-signing (client-server API, "Cross-signing"): each user's master, self-signing and user-signing keys,
// and the signatures uploaded through /keys/signatures/upload.
// - e2e_cross_signing_keys: one key per user and type, kept as the canonical JSON the client uploaded (a
//   re-upload of the same key is a string comparison, which decides whether it needs UIA). Remote users'
//   master and self-signing keys, learnt from m.signing_key_update EDUs, are kept here too.
// - e2e_cross_signing_signatures: a signature by `signer_key_id` of `signer_user_id` on the key
//   `target_key_id` of `target_user_id` (a device id, or a master key's public key). Served merged into the
//   signed object. A signature of a device, or made by a device, names that device in target_device_id or
//   signer_device_id, and goes with it (ON DELETE CASCADE), as device keys do: a device that is deleted and
//   comes back under the same id must not carry the old device's signatures. Either column is NULL when no
//   local device is involved (a master key signed by a user-signing key), and then the foreign key is not checked.
const STATEMENTS = [
  `CREATE TABLE e2e_cross_signing_keys (
     user_id text NOT NULL,
     key_type text NOT NULL,
     key_json text NOT NULL,
     added_ts bigint NOT NULL,
     PRIMARY KEY (user_id, key_type)
   )`,
  `CREATE TABLE e2e_cross_signing_signatures (
     signer_user_id text NOT NULL,
     signer_key_id text NOT NULL,
     target_user_id text NOT NULL,
     target_key_id text NOT NULL,
     signature text NOT NULL,
     signer_device_id text,
     target_device_id text,
     PRIMARY KEY (target_user_id, target_key_id, signer_user_id, signer_key_id),
     FOREIGN KEY (signer_user_id, signer_device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE,
     FOREIGN KEY (target_user_id, target_device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
   )`,
  // Deactivation deletes what a user signed; the primary key serves reads by target.
  `CREATE INDEX e2e_cross_signing_signatures_signer ON e2e_cross_signing_signatures (signer_user_id)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(): Promise<void> {
  throw new Error("irreversible");
}
