import nacl from "tweetnacl";

/**
 * Test support: a device's keys as a client makes them, with tweetnacl as an oracle independent of the
 * server's own crypto. The canonical JSON here is the plain sorted-keys form, which is the spec's for the
 * ASCII keys and values tests use.
 */
export function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${sortedJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

const unpadded = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64").replace(/=+$/, "");

export interface TestDevice {
  userId: string;
  deviceId: string;
  keyPair: nacl.SignKeyPair;
  /** Signs `object` (without its `signatures` and `unsigned`) as this device, adding to its signatures. */
  sign<T extends Record<string, unknown>>(object: T): T & { signatures: Record<string, Record<string, string>> };
  /** The device's signed DeviceKeys. */
  deviceKeys(extra?: Record<string, unknown>): Record<string, unknown>;
  /** A signed_curve25519 key object, signed by the device; `fallback` marks a fallback key. */
  signedKey(seed: string, fallback?: boolean): Record<string, unknown>;
}

export function testDevice(userId: string, deviceId: string, keyPair = nacl.sign.keyPair()): TestDevice {
  const keyName = `ed25519:${deviceId}`;
  const sign = <T extends Record<string, unknown>>(object: T) => {
    const { signatures, unsigned: _unsigned, ...signed } = object as T & { signatures?: Record<string, Record<string, string>> };
    const signature = unpadded(nacl.sign.detached(Buffer.from(sortedJson(signed), "utf8"), keyPair.secretKey));
    return { ...object, signatures: { ...signatures, [userId]: { ...signatures?.[userId], [keyName]: signature } } };
  };
  return {
    userId,
    deviceId,
    keyPair,
    sign,
    deviceKeys: (extra = {}) =>
      sign({
        user_id: userId,
        device_id: deviceId,
        algorithms: ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"],
        keys: { [`curve25519:${deviceId}`]: unpadded(nacl.randomBytes(32)), [keyName]: unpadded(keyPair.publicKey) },
        ...extra,
      }),
    signedKey: (seed, fallback = false) => sign({ key: unpadded(Buffer.from(seed.padEnd(32, "x").slice(0, 32))), ...(fallback ? { fallback: true } : {}) }),
  };
}
