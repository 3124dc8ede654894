import type { ICreateClientOpts, MatrixClient, MatrixEvent } from "matrix-js-sdk";
import type { GeneratedSecretStorageKey } from "matrix-js-sdk/lib/crypto-api/index.js";
import type { UIAuthCallback } from "matrix-js-sdk/lib/interactive-auth.js";
import { startFullClient, waitFor } from "./full-client.js";
import { createMatrixClient, type Credentials } from "./matrix-client.js";

/**
 * A full client with the SDK's Rust crypto (matrix-sdk-crypto-wasm) and an in-memory store, as Element Web runs
 * it. With `recoveryKey`, the user's recovery key answers its secret storage prompts, as a user typing it in would.
 */
export async function startCryptoClient(credentials: Credentials, recoveryKey?: () => GeneratedSecretStorageKey | undefined): Promise<MatrixClient> {
  return startFullClient(credentials, {
    clientOptions: recoveryKey && { cryptoCallbacks: secretStorageCallbacks(recoveryKey) },
    beforeStart: (client) => client.initRustCrypto({ useIndexedDB: false }),
  });
}

/** The secret storage key, when the client asks for it, from the recovery key the scenario holds. */
function secretStorageCallbacks(recoveryKey: () => GeneratedSecretStorageKey | undefined): NonNullable<ICreateClientOpts["cryptoCallbacks"]> {
  return {
    getSecretStorageKey: async ({ keys }) => {
      const key = recoveryKey();
      const keyId = Object.keys(keys)[0];
      return key && keyId ? [keyId, key.privateKey] : null;
    },
  };
}

/** Another device of the same user: a password login, as a new phone would. */
export async function loginAgain(user: { userId: string; password: string }): Promise<Credentials> {
  const login = await createMatrixClient().loginRequest({ type: "m.login.password", identifier: { type: "m.id.user", user: user.userId }, password: user.password });
  return { userId: login.user_id, accessToken: login.access_token, deviceId: login.device_id };
}

/**
 * The app's answer to the UIA of POST /keys/device_signing/upload: the user's password, sent with the request
 * (servers take an auth dict without a session and start one). Counts the uploads it made.
 */
export function withPassword(user: { userId: string; password: string }, uploads = { count: 0 }): UIAuthCallback<void> {
  return async (makeRequest) => {
    uploads.count++;
    await makeRequest({ type: "m.login.password", identifier: { type: "m.id.user", user: user.userId }, password: user.password });
  };
}

/** Polls until `check` gives a value (key queries, backups and device list updates happen in the background). */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not reached in time: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The event decrypted (the SDK decrypts as the event arrives, once it holds the room key). */
export async function decrypted(client: MatrixClient, event: MatrixEvent): Promise<Record<string, unknown>> {
  return await waitFor(client, () => (event.isDecryptionFailure() ? undefined : (event.getClearContent() ?? undefined)), `decryption of ${event.getId()}`);
}

/**
 * startCryptoClient against a given server with a given fetch (the federation suite has two servers, and its
 * scenarios may watch what a client sends).
 */
export async function startCryptoClientAt(
  credentials: Credentials,
  connection: { baseUrl: string; fetchFn: typeof fetch },
  recoveryKey?: () => GeneratedSecretStorageKey | undefined,
): Promise<MatrixClient> {
  return startFullClient(credentials, {
    clientOptions: {
      baseUrl: connection.baseUrl,
      fetchFn: connection.fetchFn,
      ...(recoveryKey && { cryptoCallbacks: secretStorageCallbacks(recoveryKey) }),
    },
    beforeStart: (client) => client.initRustCrypto({ useIndexedDB: false }),
  });
}
