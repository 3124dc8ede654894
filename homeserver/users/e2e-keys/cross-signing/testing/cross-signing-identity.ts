import nacl from "tweetnacl";
import { sortedJson } from "../../testing/signed-device.js";

/**
 * Test support: a user's cross-signing keys as a client makes them, signed with tweetnacl (an oracle
 * independent of the server's crypto), over the sorted-keys JSON that is canonical for the ASCII tests use.
 */
type Signatures = Record<string, Record<string, string>>;
type Signed<T> = T & { signatures: Signatures };

const unpadded = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64").replace(/=+$/, "");

export interface TestSigningKey {
  /** The unpadded base64 public key: the key's id in /keys/signatures/upload. */
  publicKey: string;
  /** `ed25519:<public key>`. */
  keyId: string;
  /** Adds this key's signature (as `userId`'s) to `object`, over it without `signatures` and `unsigned`. */
  sign<T extends Record<string, unknown>>(object: T): Signed<T>;
}

export function testSigningKey(userId: string, keyPair = nacl.sign.keyPair()): TestSigningKey {
  const publicKey = unpadded(keyPair.publicKey);
  const keyId = `ed25519:${publicKey}`;
  return {
    publicKey,
    keyId,
    sign: <T extends Record<string, unknown>>(object: T) => {
      const { signatures, unsigned: _unsigned, ...signed } = object as T & { signatures?: Signatures };
      const signature = unpadded(nacl.sign.detached(Buffer.from(sortedJson(signed), "utf8"), keyPair.secretKey));
      return { ...object, signatures: { ...signatures, [userId]: { ...signatures?.[userId], [keyId]: signature } } };
    },
  };
}

/** A public cross-signing key object, unsigned. */
export interface TestKeyObject extends Record<string, unknown> {
  user_id: string;
  usage: string[];
  keys: Record<string, string>;
}

export interface TestCrossSigningIdentity {
  master: TestSigningKey;
  selfSigning: TestSigningKey;
  userSigning: TestSigningKey;
  /** The three public keys as /keys/device_signing/upload takes them: the two others signed by the master key. */
  upload(): { master_key: TestKeyObject; self_signing_key: Signed<TestKeyObject>; user_signing_key: Signed<TestKeyObject> };
  /** One public key object, unsigned. */
  keyObject(usage: "master" | "self_signing" | "user_signing"): TestKeyObject;
}

export function testCrossSigningIdentity(userId: string): TestCrossSigningIdentity {
  const master = testSigningKey(userId);
  const selfSigning = testSigningKey(userId);
  const userSigning = testSigningKey(userId);
  const keyObject = (usage: "master" | "self_signing" | "user_signing"): TestKeyObject => {
    const key = { master, self_signing: selfSigning, user_signing: userSigning }[usage];
    return { user_id: userId, usage: [usage], keys: { [key.keyId]: key.publicKey } };
  };
  return {
    master,
    selfSigning,
    userSigning,
    keyObject,
    upload: () => ({
      master_key: keyObject("master"),
      self_signing_key: master.sign(keyObject("self_signing")),
      user_signing_key: master.sign(keyObject("user_signing")),
    }),
  };
}
