import { EventType, KnownMembership, Method, MsgType, Preset, type MatrixClient } from "matrix-js-sdk";
import type { GeneratedSecretStorageKey } from "matrix-js-sdk/lib/crypto-api/index.js";
import { afterEach, describe, expect, it } from "vitest";
import { registerUsers } from "../support/register-user.js";
import { stopFullClient, waitForRoom, waitForTimelineEvent } from "../support/full-client.js";
import { decrypted, eventually, loginAgain, startCryptoClient, withPassword } from "../support/crypto-client.js";

describe("key backup with the SDK's Rust crypto", () => {
  const started: MatrixClient[] = [];
  afterEach(() => {
    for (const client of started.splice(0)) stopFullClient(client);
  });

  it("a device that logs in after the messages were sent reads them from the server-side key backup, with the user's recovery key", async () => {
    const [alice, bob] = await registerUsers(2, "backup");
    let recoveryKey: GeneratedSecretStorageKey | undefined;
    const aliceLaptop = await startCryptoClient(alice, () => recoveryKey);
    const bobPhone = await startCryptoClient(bob);
    started.push(aliceLaptop, bobPhone);

    // Alice sets up recovery as Element's "set up secure backup" does: cross-signing, secret storage under a
    // recovery key, and a new key backup whose key secret storage keeps.
    const laptopCrypto = aliceLaptop.getCrypto()!;
    await laptopCrypto.bootstrapCrossSigning({ authUploadDeviceSigningKeys: withPassword(alice) });
    await laptopCrypto.bootstrapSecretStorage({
      createSecretStorageKey: async () => (recoveryKey = await laptopCrypto.createRecoveryKeyFromPassphrase()),
      setupNewKeyBackup: true,
    });
    const version = await eventually(async () => (await laptopCrypto.getActiveSessionBackupVersion()) ?? undefined, "the laptop backs up to a version");

    const { room_id: roomId } = await aliceLaptop.createRoom({
      preset: Preset.PrivateChat,
      invite: [bob.userId],
      initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
    });
    await waitForRoom(bobPhone, roomId, (room) => room.getMyMembership() === KnownMembership.Invite);
    await bobPhone.joinRoom(roomId);
    await waitForRoom(aliceLaptop, roomId, (room) => room.getMember(bob.userId)?.membership === KnownMembership.Join);
    const mine = `alice wrote this before the new phone ${Date.now()}`;
    await aliceLaptop.sendMessage(roomId, { msgtype: MsgType.Text, body: mine });
    const theirs = `bob answered before it too ${Date.now()}`;
    await bobPhone.sendMessage(roomId, { msgtype: MsgType.Text, body: theirs });
    const bobsOnLaptop = await waitForTimelineEvent(aliceLaptop, roomId, (e) => e.getWireType() === EventType.RoomMessageEncrypted && e.getSender() === bob.userId);
    expect(await decrypted(aliceLaptop, bobsOnLaptop)).toMatchObject({ body: theirs });

    // Both room keys reach the server's backup (the laptop uploads them in the background); then the laptop goes
    // away, so that nothing but the backup can give the new phone the keys.
    const backedUp = await eventually(async () => {
      const info = await aliceLaptop.http.authedRequest<{ count: number; version: string }>(Method.Get, "/room_keys/version", undefined, undefined, { prefix: "/_matrix/client/v3", priority: "auto" });
      return info.version === version && info.count >= 2 ? info : undefined;
    }, "both room keys are in the backup");
    expect(backedUp.count).toBeGreaterThanOrEqual(2);
    stopFullClient(aliceLaptop);

    const alicePhone = await startCryptoClient(await loginAgain(alice), () => recoveryKey);
    started.push(alicePhone);
    const phoneCrypto = alicePhone.getCrypto()!;
    const history = await Promise.all(
      [alice.userId, bob.userId].map((sender) => waitForTimelineEvent(alicePhone, roomId, (e) => e.getWireType() === EventType.RoomMessageEncrypted && e.getSender() === sender)),
    );
    // The user enters the recovery key: the phone takes the backup key from secret storage and restores.
    await phoneCrypto.loadSessionBackupPrivateKeyFromSecretStorage();
    const restored = await phoneCrypto.restoreKeyBackup();
    expect(restored.imported).toBeGreaterThanOrEqual(2);
    expect(await decrypted(alicePhone, history[0])).toMatchObject({ msgtype: MsgType.Text, body: mine });
    expect(await decrypted(alicePhone, history[1])).toMatchObject({ msgtype: MsgType.Text, body: theirs });
  });
});
