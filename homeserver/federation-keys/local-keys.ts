import { decodeBase64, encodeUnpaddedBase64 } from "../crypto/base64.js";
import { signJson } from "../crypto/signed-json.js";
import type { SigningKey } from "../crypto/signing-key.js";
import type { Clock } from "../core/clock.js";
import type { ServerKeyResponse } from "../../schemas/federation/keys/get-server-key.js";
import type { VerifyKey } from "./key-cache.js";

export interface LocalServerKeysOptions {
  serverName: string;
  signingKey: SigningKey;
  /** From config `old_signing_keys`: key id -> {key (base64 public key), expired_ts}. */
  oldSigningKeys: Record<string, { key: string; expired_ts: number }>;
  /** How long others may cache our keys. */
  validityPeriodMs: number;
  clock: Clock;
}

/** This server's own keys: what /_matrix/key/v2/server publishes, and what the keyring answers for us. */
export class LocalServerKeys {
  readonly serverName: string;
  private readonly current: { keyId: string; publicKey: Buffer };
  private readonly old = new Map<string, VerifyKey>();
  private cached: ServerKeyResponse | undefined;

  constructor(private readonly options: LocalServerKeysOptions) {
    this.serverName = options.serverName;
    this.current = { keyId: options.signingKey.keyId, publicKey: options.signingKey.publicKey };
    for (const [keyId, { key, expired_ts }] of Object.entries(options.oldSigningKeys)) {
      const publicKey = decodeBase64(key);
      if (publicKey.length !== 32) throw new Error(`old_signing_keys.${keyId}: an Ed25519 public key is 32 bytes`);
      this.old.set(keyId, { publicKey, validUntilTs: expired_ts, expiredTs: expired_ts });
    }
  }

  /**
   * The signed response. It is rebuilt once less than half the validity period is left (as Synapse does), so
   * a response a notary caches for half its lifetime is still valid when served, without signing per request.
   */
  serverKeyResponse(): ServerKeyResponse {
    const now = this.options.clock.now();
    const period = this.options.validityPeriodMs;
    if (!this.cached || now + period / 2 > this.cached.valid_until_ts) {
      const oldVerifyKeys: Record<string, { key: string; expired_ts: number }> = {};
      for (const [keyId, key] of this.old) oldVerifyKeys[keyId] = { key: encodeUnpaddedBase64(key.publicKey), expired_ts: key.expiredTs! };
      const unsigned = {
        server_name: this.serverName,
        verify_keys: { [this.current.keyId]: { key: encodeUnpaddedBase64(this.current.publicKey) } },
        old_verify_keys: oldVerifyKeys,
        valid_until_ts: now + period,
      };
      this.cached = signJson(unsigned, this.serverName, this.options.signingKey);
    }
    return this.cached;
  }

  /** Our current key never expires from our own point of view; old keys are usable up to their expired_ts. */
  verifyKey(keyId: string): VerifyKey | undefined {
    if (keyId === this.current.keyId) return { publicKey: this.current.publicKey, validUntilTs: Number.MAX_SAFE_INTEGER, expiredTs: null };
    return this.old.get(keyId);
  }
}
