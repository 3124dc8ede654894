import { encodeUnpaddedBase64 } from "../crypto/base64.js";
import { signJson } from "../crypto/signed-json.js";
import { generateSigningKey, type SigningKey } from "../crypto/signing-key.js";
import type { ServerKeyResponse } from "../../schemas/federation/keys/get-server-key.js";

/** A fake remote server's key response, signed as a real one would be; for tests. */
export function makeKeyResponse(
  serverName: string,
  key: SigningKey,
  validUntilTs: number,
  old: Record<string, { key: SigningKey; expiredTs: number }> = {},
): ServerKeyResponse {
  return signJson(
    {
      server_name: serverName,
      verify_keys: { [key.keyId]: { key: encodeUnpaddedBase64(key.publicKey) } },
      old_verify_keys: Object.fromEntries(Object.entries(old).map(([id, o]) => [id, { key: encodeUnpaddedBase64(o.key.publicKey), expired_ts: o.expiredTs }])),
      valid_until_ts: validUntilTs,
    },
    serverName,
    key,
  );
}

export function namedKey(version: string): SigningKey {
  return { ...generateSigningKey(), keyId: `ed25519:${version}` };
}
