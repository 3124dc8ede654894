/** GET /_matrix/key/v2/server (getServerKey): a server's own signing keys, self-signed. */
export interface ServerKeyResponse {
  server_name: string;
  /** Key id ("ed25519:<version>") -> unpadded base64 public key. */
  verify_keys: Record<string, { key: string }>;
  /** Keys no longer used for signing, and when they stopped being used. */
  old_verify_keys?: Record<string, { key: string; expired_ts: number }>;
  /** When the keys should be fetched again; receivers use the lesser of this and 7 days from fetching. */
  valid_until_ts: number;
  signatures: Record<string, Record<string, string>>;
  [key: string]: unknown;
}
