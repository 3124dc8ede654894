import { KnownMembership, Preset, type MatrixClient } from "matrix-js-sdk";
import type { UIAuthCallback } from "matrix-js-sdk/lib/interactive-auth.js";
import { afterEach, describe, expect, it } from "vitest";
import { registerUsers } from "../support/register-user.js";
import { startFullClient, stopFullClient, waitForRoom } from "../support/full-client.js";
import { createMatrixClient, type Credentials } from "../support/matrix-client.js";

/** A full client with the SDK's Rust crypto (matrix-sdk-crypto-wasm), an in-memory store, as Element Web runs it. */
async function startCryptoClient(credentials: Credentials): Promise<MatrixClient> {
  return startFullClient(credentials, { beforeStart: (client) => client.initRustCrypto({ useIndexedDB: false }) });
}

/** A second device of the same user: a password login, as a new phone would. */
async function loginAgain(user: { userId: string; password: string }): Promise<Credentials> {
  const login = await createMatrixClient().loginRequest({ type: "m.login.password", identifier: { type: "m.id.user", user: user.userId }, password: user.password });
  return { userId: login.user_id, accessToken: login.access_token, deviceId: login.device_id };
}

/**
 * The app's answer to the UIA of POST /keys/device_signing/upload: the user's password, sent with the request
 * (servers take an auth dict without a session and start one). Counts the uploads it made.
 */
function withPassword(user: { userId: string; password: string }, uploads: { count: number }): UIAuthCallback<void> {
  return async (makeRequest) => {
    uploads.count++;
    await makeRequest({ type: "m.login.password", identifier: { type: "m.id.user", user: user.userId }, password: user.password });
  };
}

/** Polls until `check` gives a value (key queries and device list updates happen in the background). */
async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not reached in time: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe("cross-signing with the SDK's Rust crypto", () => {
  const started: MatrixClient[] = [];
  afterEach(() => {
    for (const client of started.splice(0)) stopFullClient(client);
  });

  it("a user bootstraps cross-signing and signs their second device; another user sees both devices signed by their owner, and after a reset only the re-signed one", async () => {
    const [alice, bob] = await registerUsers(2, "xsign");
    const aliceLaptop = await startCryptoClient(alice);
    const phoneCredentials = await loginAgain(alice);
    const alicePhone = await startCryptoClient(phoneCredentials);
    const bobPhone = await startCryptoClient(bob);
    started.push(aliceLaptop, alicePhone, bobPhone);
    const laptopId = alice.deviceId!;
    const phoneId = phoneCredentials.deviceId;

    // Bob tracks Alice's devices because they share an encrypted room, so he hears of her key changes in sync.
    const { room_id: roomId } = await aliceLaptop.createRoom({
      preset: Preset.PrivateChat,
      invite: [bob.userId],
      initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
    });
    await waitForRoom(bobPhone, roomId, (room) => room.getMyMembership() === KnownMembership.Invite);
    await bobPhone.joinRoom(roomId);
    const bobCrypto = bobPhone.getCrypto()!;
    const signedByAlice = async (deviceId: string) => (await bobCrypto.getDeviceVerificationStatus(alice.userId, deviceId))?.signedByOwner;
    await eventually(async () => ((await bobCrypto.getUserDeviceInfo([alice.userId], true)).get(alice.userId)?.size === 2 ? true : undefined), "bob knows alice's two devices");
    // Known, and not signed by anyone yet (the status is null until the client has stored the device).
    expect(await eventually(() => signedByAlice(laptopId), "bob has a status for alice's laptop")).toBe(false);

    // First cross-signing keys: the upload goes through (no master key yet, so the server asks no UIA).
    const laptopCrypto = aliceLaptop.getCrypto()!;
    const uploads = { count: 0 };
    await laptopCrypto.bootstrapCrossSigning({ authUploadDeviceSigningKeys: withPassword(alice, uploads) });
    expect(uploads.count).toBe(1);
    expect(await laptopCrypto.isCrossSigningReady()).toBe(true);
    const masterKey = await laptopCrypto.getCrossSigningKeyId();
    expect(masterKey).toEqual(expect.any(String));

    // The laptop signs the phone with the self-signing key it now holds.
    await eventually(async () => ((await laptopCrypto.getUserDeviceInfo([alice.userId], true)).get(alice.userId)?.has(phoneId) ? true : undefined), "the laptop knows the phone");
    await laptopCrypto.crossSignDevice(phoneId);

    // Bob's client fetches Alice's keys again (device_lists.changed) and finds both devices signed by her.
    await eventually(async () => ((await signedByAlice(laptopId)) && (await signedByAlice(phoneId)) ? true : undefined), "bob sees both of alice's devices signed by alice");
    const aliceIdentity = await bobCrypto.getUserVerificationStatus(alice.userId);
    expect(aliceIdentity.isCrossSigningVerified()).toBe(false);
    // Alice's phone sees its own device cross-signed too, once it has the new keys.
    await eventually(async () => ((await alicePhone.getCrypto()!.getDeviceVerificationStatus(alice.userId, phoneId))?.signedByOwner ? true : undefined), "the phone sees itself signed");

    // A reset replaces the keys (the server needs the password now): the laptop signs itself with the new
    // self-signing key, the phone's signature was by the old one.
    await laptopCrypto.bootstrapCrossSigning({ setupNewCrossSigning: true, authUploadDeviceSigningKeys: withPassword(alice, uploads) });
    expect(uploads.count).toBe(2);
    const newMasterKey = await laptopCrypto.getCrossSigningKeyId();
    expect(newMasterKey).not.toEqual(masterKey);
    await eventually(async () => ((await signedByAlice(laptopId)) && !(await signedByAlice(phoneId)) ? true : undefined), "bob sees only the laptop signed by alice's new keys");
  });
});
