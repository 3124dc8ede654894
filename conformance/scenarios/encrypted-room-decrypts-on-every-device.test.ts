import { EventType, KnownMembership, MsgType, Preset, type MatrixClient } from "matrix-js-sdk";
import { afterEach, describe, expect, it } from "vitest";
import { registerUsers } from "../support/register-user.js";
import { stopFullClient, waitFor, waitForRoom, waitForTimelineEvent } from "../support/full-client.js";
import { decrypted, loginAgain, startCryptoClient } from "../support/crypto-client.js";

describe("end-to-end encryption with the SDK's Rust crypto", () => {
  const started: MatrixClient[] = [];
  afterEach(() => {
    for (const client of started.splice(0)) stopFullClient(client);
  });

  it("two users with two devices each: every message decrypts on every device, the server never sees the text, and a deleted device is dropped", async () => {
    const [alice, bob] = await registerUsers(2, "crypto");
    const aliceLaptop = await startCryptoClient(alice);
    const alicePhone = await startCryptoClient(await loginAgain(alice));
    const bobPhone = await startCryptoClient(bob);
    const bobLaptopCredentials = await loginAgain(bob);
    const bobLaptop = await startCryptoClient(bobLaptopCredentials);
    started.push(aliceLaptop, alicePhone, bobPhone, bobLaptop);

    const { room_id: roomId } = await aliceLaptop.createRoom({
      preset: Preset.PrivateChat,
      invite: [bob.userId],
      initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
    });
    await waitForRoom(bobPhone, roomId, (room) => room.getMyMembership() === KnownMembership.Invite);
    await bobPhone.joinRoom(roomId);
    await waitForRoom(aliceLaptop, roomId, (room) => room.getMember(bob.userId)?.membership === KnownMembership.Join);
    await waitFor(aliceLaptop, () => (aliceLaptop.getRoom(roomId)?.hasEncryptionStateEvent() ? true : undefined), "the room is encrypted");

    const secret = `only the devices can read this ${Date.now()}`;
    await aliceLaptop.sendMessage(roomId, { msgtype: MsgType.Text, body: secret });
    const reply = `and this reply too ${Date.now()}`;
    await bobLaptop.sendMessage(roomId, { msgtype: MsgType.Text, body: reply });

    // Every device of both members, the senders' other devices included, decrypts both messages.
    for (const device of [alicePhone, bobPhone, bobLaptop, aliceLaptop]) {
      for (const [sender, body] of [[alice.userId, secret], [bob.userId, reply]] as const) {
        const event = await waitForTimelineEvent(device, roomId, (e) => e.getWireType() === EventType.RoomMessageEncrypted && e.getSender() === sender);
        expect(await decrypted(device, event)).toMatchObject({ msgtype: MsgType.Text, body });
      }
    }
    // What the server stored and serves is ciphertext.
    const raw = await bob.client.createMessagesRequest(roomId, null, 20, "b" as never);
    const wire = raw.chunk.filter((e) => e.type === EventType.RoomMessageEncrypted);
    expect(wire.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(raw.chunk)).not.toContain(secret);
    expect(JSON.stringify(raw.chunk)).not.toContain(reply);

    // Bob signs out of his laptop: Alice's devices learn of it (device_lists) and stop encrypting for it.
    await bobLaptop.logout(true);
    const laptopId = bobLaptopCredentials.deviceId!;
    const deadline = Date.now() + 20_000;
    let devices = await aliceLaptop.getCrypto()!.getUserDeviceInfo([bob.userId], true);
    while (devices.get(bob.userId)?.has(laptopId) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      devices = await aliceLaptop.getCrypto()!.getUserDeviceInfo([bob.userId], true);
    }
    expect([...(devices.get(bob.userId)?.keys() ?? [])]).toEqual([bob.deviceId ?? expect.any(String)]);
    const after = `after the laptop left ${Date.now()}`;
    await aliceLaptop.sendMessage(roomId, { msgtype: MsgType.Text, body: after });
    const fromAlice = () => bobPhone.getRoom(roomId)!.getLiveTimeline().getEvents().filter((e) => e.getWireType() === EventType.RoomMessageEncrypted && e.getSender() === alice.userId);
    const latest = await waitFor(bobPhone, () => (fromAlice().length >= 2 ? fromAlice().at(-1) : undefined), "alice's second message");
    expect(await decrypted(bobPhone, latest)).toMatchObject({ body: after });
  });
});
