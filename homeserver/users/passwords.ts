import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

/**
 * scrypt cost for new hashes is N = 2^logN (config password_scrypt_log_n, 15 by default). The parameters are
 * stored with each hash, so changing the cost later only affects new passwords and old hashes keep verifying.
 */
export const DEFAULT_SCRYPT_LOG_N = 15;
const BLOCK = { r: 8, p: 1 };
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
/** Longer passwords only burn CPU for nothing; Synapse refuses them too. */
export const MAX_PASSWORD_LENGTH = 512;

function derive(password: string, salt: Buffer, options: ScryptOptions, keyLength: number): Promise<Buffer> {
  // scrypt needs 128 * N * r bytes; leave headroom over Node's 32 MiB default.
  const maxmem = 256 * (options.N ?? 1) * (options.r ?? 1) + 1024 * 1024;
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFKC"), salt, keyLength, { ...options, maxmem }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** Format: `scrypt$N$r$p$salt$hash` (salt and hash base64). */
export async function hashPassword(password: string, logN = DEFAULT_SCRYPT_LOG_N): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const cost = { N: 2 ** logN, ...BLOCK };
  const key = await derive(password, salt, cost, KEY_LENGTH);
  return ["scrypt", cost.N, cost.r, cost.p, salt.toString("base64"), key.toString("base64")].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((n) => Number.isSafeInteger(n) && n > 0)) return false;
  const salt = Buffer.from(parts[4], "base64");
  const expected = Buffer.from(parts[5], "base64");
  const actual = await derive(password, salt, { N, r, p }, expected.length);
  return timingSafeEqual(actual, expected);
}

const dummyHashes = new Map<number, Promise<string>>();

/**
 * Spends the time of a real check at the configured cost (that of new hashes), so that "no such user" and
 * "wrong password" take equally long and login timing does not reveal which accounts exist.
 */
export async function burnPasswordCheck(password: string, logN = DEFAULT_SCRYPT_LOG_N): Promise<false> {
  let dummy = dummyHashes.get(logN);
  if (!dummy) dummyHashes.set(logN, (dummy = hashPassword("not a real password", logN)));
  await verifyPassword(password, await dummy);
  return false;
}
