import { createPrivateKey, createPublicKey, sign, verify, randomBytes, type KeyObject } from "node:crypto";

// node:crypto takes Ed25519 keys as DER; these fixed prefixes wrap a raw 32-byte seed or public key.
const PKCS8_SEED_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_PUBLIC_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

export interface Ed25519KeyPair {
  seed: Buffer;
  publicKey: Buffer;
  privateKeyObject: KeyObject;
}

export function keyPairFromSeed(seed: Uint8Array): Ed25519KeyPair {
  if (seed.length !== 32) throw new Error("an Ed25519 seed is 32 bytes");
  const privateKeyObject = createPrivateKey({
    key: Buffer.concat([PKCS8_SEED_PREFIX, seed]),
    format: "der",
    type: "pkcs8",
  });
  const spki = createPublicKey(privateKeyObject).export({ format: "der", type: "spki" });
  return { seed: Buffer.from(seed), publicKey: spki.subarray(SPKI_PUBLIC_PREFIX.length), privateKeyObject };
}

export function generateKeyPair(): Ed25519KeyPair {
  return keyPairFromSeed(randomBytes(32));
}

export function signBytes(keyPair: Ed25519KeyPair, message: Uint8Array): Buffer {
  return sign(null, message, keyPair.privateKeyObject);
}

const publicKeyCache = new Map<string, KeyObject>();

/** Public key objects are cached by their bytes: verifying a federation transaction reuses a few keys often. */
export function publicKeyObject(publicKey: Uint8Array): KeyObject {
  const cacheKey = Buffer.from(publicKey).toString("hex");
  let keyObject = publicKeyCache.get(cacheKey);
  if (!keyObject) {
    if (publicKey.length !== 32) throw new Error("an Ed25519 public key is 32 bytes");
    keyObject = createPublicKey({ key: Buffer.concat([SPKI_PUBLIC_PREFIX, publicKey]), format: "der", type: "spki" });
    if (publicKeyCache.size > 10_000) publicKeyCache.clear();
    publicKeyCache.set(cacheKey, keyObject);
  }
  return keyObject;
}

export function verifyBytes(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  try {
    return verify(null, message, publicKeyObject(publicKey), signature);
  } catch {
    return false;
  }
}
