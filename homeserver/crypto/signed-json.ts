import { decodeBase64, encodeUnpaddedBase64 } from "./base64.js";
import { canonicalJsonBytes } from "./canonical-json.js";
import { signBytes, verifyBytes } from "./ed25519.js";
import type { SigningKey } from "./signing-key.js";

type Signatures = Record<string, Record<string, string>>;
type Signable = { signatures?: Signatures; unsigned?: unknown; [key: string]: unknown };

/** The bytes that are signed: the object without `signatures` and `unsigned`, in canonical JSON. */
export function signingBytes(object: Signable): Buffer {
  const { signatures: _signatures, unsigned: _unsigned, ...rest } = object;
  return canonicalJsonBytes(rest);
}

export function signatureOf(object: Signable, key: SigningKey): string {
  return encodeUnpaddedBase64(signBytes(key, signingBytes(object)));
}

/** Returns a copy with this server's signature added beside any signatures already there. */
export function signJson<T extends Signable>(object: T, serverName: string, key: SigningKey): T & { signatures: Signatures } {
  const signature = signatureOf(object, key);
  const signatures: Signatures = { ...(object.signatures ?? {}) };
  signatures[serverName] = { ...(signatures[serverName] ?? {}), [key.keyId]: signature };
  return { ...object, signatures };
}

/** Verifies the signature by `entity` with `keyId` against a raw public key. Missing or malformed is false. */
export function verifyJsonSignature(object: Signable, entity: string, keyId: string, publicKey: Uint8Array): boolean {
  const encoded = object.signatures?.[entity]?.[keyId];
  if (typeof encoded !== "string") return false;
  let signature: Buffer;
  try {
    signature = decodeBase64(encoded);
  } catch {
    return false;
  }
  return verifyBytes(publicKey, signingBytes(object), signature);
}
