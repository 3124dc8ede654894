import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { decodeBase64, encodeUnpaddedBase64 } from "./base64.js";
import { keyPairFromSeed, type Ed25519KeyPair } from "./ed25519.js";

export interface SigningKey extends Ed25519KeyPair {
  /** e.g. "ed25519:a_Xy1z"; the part after the colon is the key's version. */
  keyId: string;
}

const KEY_ID_PATTERN = /^ed25519:[a-zA-Z0-9_]+$/;

/** The file format Synapse uses ("ed25519 <version> <unpadded base64 seed>"), so keys can move between them. */
export function parseSigningKeyFile(text: string): SigningKey {
  const line = text.split("\n").find((l) => l.trim() !== "");
  const [algorithm, version, seed] = (line ?? "").trim().split(/\s+/);
  const keyId = `${algorithm}:${version}`;
  if (algorithm !== "ed25519" || !seed || !KEY_ID_PATTERN.test(keyId)) {
    throw new Error("signing key file must hold one line: ed25519 <version> <base64 seed>");
  }
  return { keyId, ...keyPairFromSeed(decodeBase64(seed)) };
}

export function formatSigningKeyFile(key: SigningKey): string {
  const version = key.keyId.slice("ed25519:".length);
  return `ed25519 ${version} ${encodeUnpaddedBase64(key.seed)}\n`;
}

export function generateSigningKey(): SigningKey {
  const version = `a_${randomBytes(3).toString("base64url").replace(/[^a-zA-Z0-9_]/g, "_")}`;
  return { keyId: `ed25519:${version}`, ...keyPairFromSeed(randomBytes(32)) };
}

/** Loads the server's key, generating and persisting one at first start (mode 0600: it is the server's identity). */
export async function loadOrCreateSigningKey(path: string): Promise<{ key: SigningKey; created: boolean }> {
  try {
    return { key: parseSigningKeyFile(await readFile(path, "utf8")), created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const key = generateSigningKey();
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, formatSigningKeyFile(key), { mode: 0o600, flag: "wx" });
  return { key, created: true };
}
