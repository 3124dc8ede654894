import { KnownMembership, Preset, type MatrixClient } from "matrix-js-sdk";
import { afterEach, describe, expect, it } from "vitest";
import { withPassword } from "../../support/crypto-client.js";
import { stopFullClient } from "../../support/full-client.js";
import { loginAgainOn, registerCryptoUser, startDeviceOn, waitOn, type CryptoUser } from "../support/crypto-devices.js";
import { directions, startServer, stopServer, type PeerDescription } from "../support/peers.js";

/**
 * Cross-signing keys cross servers in /user/keys/query answers and, when they change, in m.signing_key_update
 * EDUs (which is how the other user's server knows to mark them changed in device_lists and ask again).
 */
describe.each(directions({ heavy: true }))("cross-signing across servers ($label)", ({ host, guest }) => {
  const started: MatrixClient[] = [];
  afterEach(() => {
    for (const client of started.splice(0)) stopFullClient(client);
  });

  it("both users bootstrap cross-signing and sign their second device; each sees the other's two devices signed by their owner, and after a reset only the re-signed one", async () => {
    const { alice, bob, aliceLaptop, alicePhone, bobLaptop, bobPhone } = await devicesInSharedRoom(host, guest, started);

    // Each laptop bootstraps cross-signing (a first upload) and signs the user's phone with its self-signing key.
    await bootstrapAndSignPhone(alice, aliceLaptop);
    await bootstrapAndSignPhone(bob, bobLaptop);

    // The other server's user fetches the keys again and finds both devices signed by their owner, and the
    // owner's master key (not verified by the viewer: no one verified anyone).
    await expectSignedByOwner(aliceLaptop, bob, bob.devices, [true, true], "alice sees both of bob's devices signed by bob");
    await expectSignedByOwner(bobLaptop, alice, alice.devices, [true, true], "bob sees both of alice's devices signed by alice");
    await expectSignedByOwner(alicePhone, bob, bob.devices, [true, true], "alice's phone sees both of bob's devices signed by bob");
    await expectSignedByOwner(bobPhone, alice, alice.devices, [true, true], "bob's phone sees both of alice's devices signed by alice");
    expect((await aliceLaptop.getCrypto()!.getUserVerificationStatus(bob.userId)).isCrossSigningVerified()).toBe(false);

    // Bob resets his cross-signing keys (his server asks for his password now) and his laptop signs itself with
    // the new self-signing key; the phone's signature was made by the old one. Alice's server learns of the
    // new keys (m.signing_key_update), and she sees only the laptop signed.
    await resetCrossSigning(bob, bobLaptop);
    await expectSignedByOwner(aliceLaptop, bob, bob.devices, [true, false], "alice sees only bob's re-signed laptop signed by bob's new keys");
  });

  it("a reset while the other user's server is down, with the resetting user's server restarted before it is back: the new keys still arrive", async () => {
    const { bob, aliceLaptop, bobLaptop } = await devicesInSharedRoom(host, guest, started);
    await bootstrapAndSignPhone(bob, bobLaptop);
    await expectSignedByOwner(aliceLaptop, bob, bob.devices, [true, true], "alice sees both of bob's devices signed by bob");

    // Only what bob's server keeps in its database can reach alice's once both are up again: the new keys
    // (m.signing_key_update) and the laptop's new signature (m.device_list_update), either of which has alice's
    // server list bob in device_lists.changed, and her laptop fetch his keys again.
    await stopServer(host);
    try {
      await resetCrossSigning(bob, bobLaptop);
      await stopServer(guest);
      await startServer(guest);
    } finally {
      await startServer(host);
    }
    await expectSignedByOwner(aliceLaptop, bob, bob.devices, [true, false], "alice sees only bob's re-signed laptop signed by bob's new keys", 300_000);
  });
});

/** A user with a laptop (the registration's device) and a phone (a second login). */
interface UserWithDevices extends CryptoUser {
  phoneId: string;
  /** [laptop, phone] */
  devices: string[];
}

/** Alice on `host` and bob on `guest`, two running devices each, in an encrypted room alice made and bob joined. */
async function devicesInSharedRoom(host: PeerDescription, guest: PeerDescription, started: MatrixClient[]) {
  const [aliceUser, bobUser] = await Promise.all([registerCryptoUser(host, "alice"), registerCryptoUser(guest, "bob")]);
  const [alicePhoneLogin, bobPhoneLogin] = await Promise.all([loginAgainOn(aliceUser), loginAgainOn(bobUser)]);
  const alice: UserWithDevices = { ...aliceUser, phoneId: alicePhoneLogin.deviceId, devices: [aliceUser.deviceId, alicePhoneLogin.deviceId] };
  const bob: UserWithDevices = { ...bobUser, phoneId: bobPhoneLogin.deviceId, devices: [bobUser.deviceId, bobPhoneLogin.deviceId] };
  const aliceLaptop = await startDeviceOn(host, alice);
  const alicePhone = await startDeviceOn(host, alicePhoneLogin);
  const bobLaptop = await startDeviceOn(guest, bob);
  const bobPhone = await startDeviceOn(guest, bobPhoneLogin);
  started.push(aliceLaptop, alicePhone, bobLaptop, bobPhone);

  // Each tracks the other's devices because they share an encrypted room.
  const { room_id: roomId } = await aliceLaptop.createRoom({
    preset: Preset.PrivateChat,
    invite: [bob.userId],
    initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
  });
  await waitOn(bobLaptop, () => (bobLaptop.getRoom(roomId)?.getMyMembership() === KnownMembership.Invite ? true : undefined), "bob's laptop sees the invite");
  await bobLaptop.joinRoom(roomId);
  await waitOn(aliceLaptop, () => (aliceLaptop.getRoom(roomId)?.getMember(bob.userId)?.membership === KnownMembership.Join ? true : undefined), "alice sees bob joined");

  await expectKnownDevices(aliceLaptop, bob, bob.devices, "alice's laptop knows bob's two devices");
  await expectKnownDevices(bobLaptop, alice, alice.devices, "bob's laptop knows alice's two devices");
  // Known, and signed by no one yet (the status is null until the client has stored the devices of a user
  // it tracks, after its own /keys/query).
  await expectSignedByOwner(aliceLaptop, bob, bob.devices, [false, false], "alice's laptop has stored bob's unsigned devices");
  await expectSignedByOwner(bobLaptop, alice, alice.devices, [false, false], "bob's laptop has stored alice's unsigned devices");
  return { roomId, alice, bob, aliceLaptop, alicePhone, bobLaptop, bobPhone };
}

/** The laptop bootstraps cross-signing (a first upload, which needs no UIA) and signs the phone. */
async function bootstrapAndSignPhone(user: UserWithDevices, laptop: MatrixClient): Promise<void> {
  const crypto = laptop.getCrypto()!;
  await crypto.bootstrapCrossSigning({ authUploadDeviceSigningKeys: withPassword(user) });
  expect(await crypto.isCrossSigningReady()).toBe(true);
  await expectKnownDevices(laptop, user, user.devices, `${user.userId}'s laptop knows the phone`);
  await crypto.crossSignDevice(user.phoneId);
}

/** New cross-signing keys (the server asks for the password now); the laptop signs itself with them, not the phone. */
async function resetCrossSigning(user: UserWithDevices, laptop: MatrixClient): Promise<void> {
  const crypto = laptop.getCrypto()!;
  const oldMasterKey = await crypto.getCrossSigningKeyId();
  await crypto.bootstrapCrossSigning({ setupNewCrossSigning: true, authUploadDeviceSigningKeys: withPassword(user) });
  expect(await crypto.getCrossSigningKeyId()).not.toEqual(oldMasterKey);
}

async function expectKnownDevices(viewer: MatrixClient, owner: CryptoUser, deviceIds: string[], what: string): Promise<void> {
  const wanted = [...deviceIds].sort();
  await waitOn(
    viewer,
    async () => {
      const known = [...((await viewer.getCrypto()!.getUserDeviceInfo([owner.userId], true)).get(owner.userId)?.keys() ?? [])].sort();
      return JSON.stringify(known) === JSON.stringify(wanted) ? true : undefined;
    },
    what,
  );
}

/** For each device, whether the viewer finds it signed by its owner's self-signing key (null: not stored yet). */
async function signedByOwner(viewer: MatrixClient, owner: CryptoUser, deviceIds: string[]): Promise<Array<boolean | null>> {
  const crypto = viewer.getCrypto()!;
  return await Promise.all(deviceIds.map(async (id) => (await crypto.getDeviceVerificationStatus(owner.userId, id))?.signedByOwner ?? null));
}

async function expectSignedByOwner(viewer: MatrixClient, owner: CryptoUser, deviceIds: string[], wanted: boolean[], what: string, timeoutMs?: number): Promise<void> {
  let last: Array<boolean | null> = [];
  try {
    await waitOn(
      viewer,
      async () => {
        last = await signedByOwner(viewer, owner, deviceIds);
        return JSON.stringify(last) === JSON.stringify(wanted) ? true : undefined;
      },
      what,
      timeoutMs,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; last seen signed-by-owner ${JSON.stringify(last)} for ${JSON.stringify(deviceIds)}`);
  }
}
