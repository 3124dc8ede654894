import { KnownMembership, Preset, type MatrixClient } from "matrix-js-sdk";
import { afterEach, describe, expect, it } from "vitest";
import { registerUsers } from "../support/register-user.js";
import { stopFullClient, waitForRoom } from "../support/full-client.js";
import { eventually, loginAgain, startCryptoClient, withPassword } from "../support/crypto-client.js";

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
