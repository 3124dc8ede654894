/**
 * End-to-end encryption key benchmark (npm run bench:keys [-- options]): what a client's encryption costs the
 * server when it talks to many devices, on Myelin and on Synapse in the same run, on this machine.
 *
 * Set-up: U users (500) with two devices each, every device with signed device keys and one-time keys. Then,
 * from one extra user, each repeated R times (5) and reported as the median:
 *   - query:  POST /keys/query for all U users (what a client does before it encrypts to a room of them);
 *   - claim:  POST /keys/claim of one signed_curve25519 key from each of the 2U devices (new Olm sessions);
 *   - share:  PUT /sendToDevice/m.room.encrypted with one message per device of the U users (a room key to 2U devices).
 * The ratio is Synapse's time over Myelin's (the target: at least 5). On PostgreSQL the bench also measures the
 * database floor under query and share (bench/keys-floor.ts) and prints Synapse's time over it: the highest ratio
 * any server on this database and machine could reach.
 *
 *   npx tsx bench/e2ee-keys.ts [--users N] [--repeats R] [--no-synapse] [--embedded]
 *
 * Synapse comes from the conformance venv (npm run conformance:synapse installs it) and runs on its own sqlite
 * database with bcrypt_rounds 4 so that registering a thousand devices does not take minutes; Myelin runs as in
 * `npm run bench` (a fresh Postgres database when one answers, else the embedded one). Both on loopback.
 */
import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { Pool } from "undici";
import { canonicalJson } from "../homeserver/crypto/canonical-json.js";
import { encodeUnpaddedBase64 } from "../homeserver/crypto/base64.js";
import { startSynapseTarget } from "../conformance/harness/targets/synapse-target.js";
import { call, mapLimit, openPool, register, type Session } from "./matrix-http.js";
import { measureKeysFloor, type KeysFloor } from "./keys-floor.js";
import { startBenchServer } from "./server-process.js";

export interface KeysFigure {
  name: string;
  value: number;
  unit: string;
}

interface Target {
  label: string;
  baseUrl: string;
  dispose(): Promise<void>;
}

interface Device {
  userId: string;
  deviceId: string;
  accessToken: string;
}

const PASSWORD = "bench-keys-password";
const ONE_TIME_KEYS_PER_DEVICE = 10;
/** matrix-rust-sdk's largest to-device request when it shares a room key (MAX_TO_DEVICE_MESSAGES). */
const TO_DEVICE_CHUNK = 250;
/** An Olm-encrypted room key: about 1 KB of base64 ciphertext per device. */
const CIPHERTEXT_BYTES = 700;
/** The ratio issue #16 asks for: Synapse's time over Myelin's. */
export const KEYS_RATIO_TARGET = 5;

/** An Ed25519 signature of the canonical JSON of `object` (without signatures and unsigned), as the spec signs keys. */
function signObject(object: Record<string, unknown>, privateKey: ReturnType<typeof generateKeyPairSync>["privateKey"], userId: string, keyId: string): Record<string, unknown> {
  const { signatures: _s, unsigned: _u, ...signed } = object;
  const signature = encodeUnpaddedBase64(sign(null, Buffer.from(canonicalJson(signed)), privateKey));
  return { ...object, signatures: { [userId]: { [keyId]: signature } } };
}

function publicKeyBase64(publicKey: ReturnType<typeof generateKeyPairSync>["publicKey"]): string {
  // The raw 32 bytes end the DER encoding of an Ed25519 or X25519 public key.
  return encodeUnpaddedBase64(publicKey.export({ format: "der", type: "spki" }).subarray(-32));
}

/** Device keys and one-time keys as a client uploads them, signed by the device's own Ed25519 key. */
function keysUpload(device: Device): Record<string, unknown> {
  const ed = generateKeyPairSync("ed25519");
  const curve = generateKeyPairSync("x25519");
  const edKeyId = `ed25519:${device.deviceId}`;
  const deviceKeys = signObject(
    {
      user_id: device.userId,
      device_id: device.deviceId,
      algorithms: ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"],
      keys: { [`curve25519:${device.deviceId}`]: publicKeyBase64(curve.publicKey), [edKeyId]: publicKeyBase64(ed.publicKey) },
    },
    ed.privateKey,
    device.userId,
    edKeyId,
  );
  const oneTimeKeys: Record<string, unknown> = {};
  for (let i = 0; i < ONE_TIME_KEYS_PER_DEVICE; i++) {
    const otk = generateKeyPairSync("x25519");
    oneTimeKeys[`signed_curve25519:AAAA${i.toString().padStart(4, "0")}`] = signObject({ key: publicKeyBase64(otk.publicKey) }, ed.privateKey, device.userId, edKeyId);
  }
  return { device_keys: deviceKeys, one_time_keys: oneTimeKeys };
}

async function login(pool: Pool, userId: string): Promise<Device> {
  const result = await call<{ user_id: string; device_id: string; access_token: string }>(pool, "POST", "/_matrix/client/v3/login", {
    body: { type: "m.login.password", identifier: { type: "m.id.user", user: userId }, password: PASSWORD, initial_device_display_name: "bench second device" },
  });
  return { userId: result.user_id, deviceId: result.device_id, accessToken: result.access_token };
}

async function whoami(pool: Pool, session: Session): Promise<Device> {
  const me = await call<{ user_id: string; device_id: string }>(pool, "GET", "/_matrix/client/v3/account/whoami", { token: session.accessToken });
  return { userId: me.user_id, deviceId: me.device_id, accessToken: session.accessToken };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function measure(label: string, repeats: number, log: (line: string) => void, run: (round: number) => Promise<void>): Promise<number> {
  await run(-1); // warm-up: caches and JIT, as a client's second request would find them
  const times: number[] = [];
  for (let round = 0; round < repeats; round++) {
    const started = performance.now();
    await run(round);
    times.push(performance.now() - started);
  }
  log(`${label}: ${times.map((t) => t.toFixed(1)).join(", ")} ms`);
  return median(times);
}

/** Registers the users and their devices, uploads their keys, and times the three requests on one server. */
async function runOn(target: Target, users: number, repeats: number, log: (line: string) => void): Promise<{ query: number; claim: number; share: number }> {
  const pool = openPool(target.baseUrl, 16);
  try {
    const tag = randomBytes(3).toString("hex");
    const started = performance.now();
    const devices = (
      await mapLimit(Array.from({ length: users }, (_, i) => i), 8, async (i) => {
        const first = await whoami(pool, await register(pool, `keys${tag}u${i}`, PASSWORD));
        return [first, await login(pool, first.userId)];
      })
    ).flat();
    await mapLimit(devices, 8, (device) => call(pool, "POST", "/_matrix/client/v3/keys/upload", { token: device.accessToken, body: keysUpload(device) }));
    const sender = await whoami(pool, await register(pool, `keys${tag}sender`, PASSWORD));
    log(`${target.label}: ${users} users with ${devices.length} devices and their keys set up in ${Math.round(performance.now() - started)} ms`);

    const userIds = [...new Set(devices.map((d) => d.userId))];
    const query = await measure(`${target.label} keys/query of ${userIds.length} users`, repeats, log, async () => {
      const answer = await call<{ device_keys: Record<string, Record<string, unknown>> }>(pool, "POST", "/_matrix/client/v3/keys/query", {
        token: sender.accessToken,
        body: { device_keys: Object.fromEntries(userIds.map((u) => [u, []])) },
      });
      const found = Object.values(answer.device_keys).reduce((n, byDevice) => n + Object.keys(byDevice).length, 0);
      if (found !== devices.length) throw new Error(`${target.label}: keys/query found ${found} of ${devices.length} devices`);
    });
    // Each round claims a fresh key from every device; the warm-up round claims one too.
    if (repeats + 1 > ONE_TIME_KEYS_PER_DEVICE) throw new Error(`at most ${ONE_TIME_KEYS_PER_DEVICE - 1} repeats: each claims a one-time key per device`);
    const claim = await measure(`${target.label} keys/claim from ${devices.length} devices`, repeats, log, async () => {
      const oneTimeKeys: Record<string, Record<string, string>> = {};
      for (const d of devices) (oneTimeKeys[d.userId] ??= {})[d.deviceId] = "signed_curve25519";
      const answer = await call<{ one_time_keys: Record<string, Record<string, unknown>> }>(pool, "POST", "/_matrix/client/v3/keys/claim", {
        token: sender.accessToken,
        body: { one_time_keys: oneTimeKeys },
      });
      const claimed = Object.values(answer.one_time_keys).reduce((n, byDevice) => n + Object.keys(byDevice).length, 0);
      if (claimed !== devices.length) throw new Error(`${target.label}: keys/claim gave ${claimed} of ${devices.length} keys`);
    });
    const ciphertext = randomBytes(CIPHERTEXT_BYTES).toString("base64");
    // As matrix-rust-sdk shares a room key: requests of at most 250 devices each, sent together.
    const chunks = Array.from({ length: Math.ceil(devices.length / TO_DEVICE_CHUNK) }, (_, i) => devices.slice(i * TO_DEVICE_CHUNK, (i + 1) * TO_DEVICE_CHUNK));
    const share = await measure(`${target.label} sendToDevice to ${devices.length} devices in ${chunks.length} requests`, repeats, log, async (round) => {
      await Promise.all(
        chunks.map((chunk, i) => {
          const messages: Record<string, Record<string, unknown>> = {};
          for (const d of chunk) {
            (messages[d.userId] ??= {})[d.deviceId] = {
              algorithm: "m.olm.v1.curve25519-aes-sha2",
              sender_key: "bench",
              ciphertext: { [d.deviceId]: { type: 0, body: ciphertext } },
            };
          }
          return call(pool, "PUT", `/_matrix/client/v3/sendToDevice/m.room.encrypted/share-${tag}-${round}-${i}`, { token: sender.accessToken, body: { messages } });
        }),
      );
    });
    return { query, claim, share };
  } finally {
    await pool.close();
  }
}

async function startSynapse(): Promise<Target> {
  const workDir = await mkdtemp(join(tmpdir(), "myelin-bench-synapse-"));
  const synapse = await startSynapseTarget(workDir, { bcrypt_rounds: 4 });
  return {
    label: "Synapse (sqlite)",
    baseUrl: synapse.baseUrl,
    dispose: async () => {
      await synapse.dispose();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

export interface KeysBenchOptions {
  users?: number;
  repeats?: number;
  synapse?: boolean;
  forceEmbedded?: boolean;
  log?: (line: string) => void;
}

export async function runKeysBench(options: KeysBenchOptions = {}): Promise<KeysFigure[]> {
  const users = options.users ?? 500;
  const repeats = options.repeats ?? 5;
  const log = options.log ?? ((line: string) => console.error(`[keys-bench] ${line}`));
  log(`load average at start ${loadavg().map((v) => v.toFixed(2)).join(" ")}`);
  const myelinServer = await startBenchServer({ forceEmbedded: options.forceEmbedded ?? false, nodeArgs: [], keepFiles: false, asyncCommit: false });
  const myelin: Target = { label: `Myelin (${myelinServer.database})`, baseUrl: myelinServer.baseUrl, dispose: () => myelinServer.dispose() };
  let ours: Awaited<ReturnType<typeof runOn>>;
  let floor: KeysFloor | undefined;
  try {
    ours = await runOn(myelin, users, repeats, log);
    if (myelinServer.databaseUrl) {
      floor = await measureKeysFloor(myelinServer.databaseUrl, { users, chunks: Math.ceil((2 * users) / TO_DEVICE_CHUNK), messageBytes: CIPHERTEXT_BYTES, repeats });
    }
  } finally {
    await myelin.dispose();
  }
  const figures: KeysFigure[] = [
    { name: `e2ee keys: keys/query of ${users} users (${2 * users} devices), median of ${repeats}, Myelin`, value: round(ours.query), unit: "ms" },
    { name: `  keys/claim of one key from each of ${2 * users} devices, Myelin`, value: round(ours.claim), unit: "ms" },
    { name: `  sendToDevice (a room key) to ${2 * users} devices, Myelin`, value: round(ours.share), unit: "ms" },
  ];
  if (floor) {
    figures.push(
      { name: `  floor: the ${2 * users} device keys' rows read straight from PostgreSQL, no Myelin`, value: round(floor.queryMs), unit: "ms" },
      { name: `  floor: the ${2 * users} messages written straight to PostgreSQL, same transactions, no Myelin`, value: round(floor.shareMs), unit: "ms" },
    );
  }
  if (options.synapse === false) return figures;
  const synapse = await startSynapse();
  let theirs: Awaited<ReturnType<typeof runOn>>;
  try {
    theirs = await runOn(synapse, users, repeats, log);
  } finally {
    await synapse.dispose();
  }
  const ratio = (a: number, b: number) => Math.round((a / b) * 10) / 10;
  if (floor) {
    // A ratio of 5 would need Myelin below Synapse / 5: where that is under the floor, no server on this
    // database and machine can reach it.
    figures.push(
      { name: `  Synapse / floor, keys/query (the most any server on this PostgreSQL could reach)`, value: ratio(theirs.query, floor.queryMs), unit: "x" },
      { name: `  Synapse / floor, sendToDevice (the most any server on this PostgreSQL could reach)`, value: ratio(theirs.share, floor.shareMs), unit: "x" },
    );
  }
  figures.push(
    { name: `  keys/query, ${synapse.label}`, value: round(theirs.query), unit: "ms" },
    { name: `  keys/claim, ${synapse.label}`, value: round(theirs.claim), unit: "ms" },
    { name: `  sendToDevice, ${synapse.label}`, value: round(theirs.share), unit: "ms" },
    { name: `  Synapse / Myelin, keys/query (target >= ${KEYS_RATIO_TARGET})`, value: ratio(theirs.query, ours.query), unit: "x" },
    { name: `  Synapse / Myelin, keys/claim (target >= ${KEYS_RATIO_TARGET})`, value: ratio(theirs.claim, ours.claim), unit: "x" },
    { name: `  Synapse / Myelin, sendToDevice (target >= ${KEYS_RATIO_TARGET})`, value: ratio(theirs.share, ours.share), unit: "x" },
  );
  return figures;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values } = parseArgs({
    options: {
      users: { type: "string" },
      repeats: { type: "string" },
      "no-synapse": { type: "boolean", default: false },
      embedded: { type: "boolean", default: false },
    },
  });
  const figures = await runKeysBench({
    users: values.users ? Number(values.users) : undefined,
    repeats: values.repeats ? Number(values.repeats) : undefined,
    synapse: !values["no-synapse"],
    forceEmbedded: values.embedded,
  });
  console.log(`1-minute load average ${loadavg()[0].toFixed(2)}`);
  for (const f of figures) console.log(`${f.name}: ${f.value} ${f.unit}`);
}
