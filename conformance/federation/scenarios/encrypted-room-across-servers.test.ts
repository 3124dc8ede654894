import { KnownMembership, MsgType, Preset, type MatrixClient } from "matrix-js-sdk";
import { afterEach, describe, expect, it } from "vitest";
import { stopFullClient } from "../../support/full-client.js";
import {
  decryptedOn,
  encryptedEvents,
  loginAgainOn,
  megolmSessionOf,
  registerCryptoUser,
  startDeviceOn,
  waitOn,
  type SentToDevice,
} from "../support/crypto-devices.js";
import { directions } from "../support/peers.js";

/**
 * matrix-js-sdk with its Rust crypto on two devices of a user of each server. What crosses the servers:
 * the room (join over federation), device lists (m.device_list_update, /user/devices), device keys and
 * one-time keys (/user/keys/query, /user/keys/claim) and the Olm-encrypted room keys (m.direct_to_device).
 */
describe.each(directions({ heavy: true }))("end-to-end encryption across servers ($label)", ({ host, guest }) => {
  const started: MatrixClient[] = [];
  afterEach(() => {
    for (const client of started.splice(0)) stopFullClient(client);
  });

  it("two users with two devices each: every device's message decrypts on every device of both users, a device that logs in later reads the next one, and a device that signs out gets no later room key", async () => {
    const [alice, bob] = await Promise.all([registerCryptoUser(host, "alice"), registerCryptoUser(guest, "bob")]);
    const [alicePhoneLogin, bobLaptopLogin] = await Promise.all([loginAgainOn(alice), loginAgainOn(bob)]);
    const aliceSent: SentToDevice[] = [];
    const aliceLaptop = await startDeviceOn(host, alice, aliceSent);
    const alicePhone = await startDeviceOn(host, alicePhoneLogin);
    const bobPhone = await startDeviceOn(guest, bob);
    const bobLaptop = await startDeviceOn(guest, bobLaptopLogin);
    started.push(aliceLaptop, alicePhone, bobPhone, bobLaptop);
    const bobLaptopId = bobLaptopLogin.deviceId;

    const { room_id: roomId } = await aliceLaptop.createRoom({
      preset: Preset.PrivateChat,
      invite: [bob.userId],
      initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
    });
    await waitOn(bobPhone, () => (bobPhone.getRoom(roomId)?.getMyMembership() === KnownMembership.Invite ? true : undefined), "bob's phone sees the invite");
    await bobPhone.joinRoom(roomId);
    for (const device of [aliceLaptop, alicePhone]) {
      await waitOn(device, () => (device.getRoom(roomId)?.getMember(bob.userId)?.membership === KnownMembership.Join ? true : undefined), "alice's devices see bob joined");
    }
    for (const device of [bobPhone, bobLaptop]) {
      await waitOn(device, () => (device.getRoom(roomId)?.hasEncryptionStateEvent() && device.getRoom(roomId)?.getMyMembership() === KnownMembership.Join ? true : undefined), "bob's devices are in the encrypted room");
    }
    await waitOn(alicePhone, () => (alicePhone.getRoom(roomId)?.hasEncryptionStateEvent() ? true : undefined), "alice's phone knows the room is encrypted");

    // Each device sends one message, in turns: a device's message goes out once it has read the previous one.
    const senders: Array<[string, MatrixClient]> = [
      ["alice's laptop", aliceLaptop],
      ["bob's phone", bobPhone],
      ["alice's phone", alicePhone],
      ["bob's laptop", bobLaptop],
    ];
    const sent: Array<{ eventId: string; body: string; from: string }> = [];
    for (const [from, device] of senders) {
      for (const previous of sent) await decryptedOn(device, roomId, previous.eventId, from);
      const body = `from ${from} ${Date.now()}`;
      const { event_id: eventId } = await device.sendMessage(roomId, { msgtype: MsgType.Text, body });
      sent.push({ eventId, body, from });
    }
    for (const [label, device] of senders) {
      for (const message of sent) {
        expect(await decryptedOn(device, roomId, message.eventId, label), `${label} reads the message from ${message.from}`).toMatchObject({ msgtype: MsgType.Text, body: message.body });
      }
    }
    // Both servers hold and serve ciphertext only.
    for (const user of [alice, bob]) {
      const history = await user.client.createMessagesRequest(roomId, null, 50, "b" as never);
      const wire = JSON.stringify(history.chunk);
      for (const message of sent) expect(wire, `${user.peer.kind} ${user.peer.id} serves ciphertext`).not.toContain(message.body);
      expect(history.chunk.filter((e) => e.type === "m.room.encrypted").length).toBeGreaterThanOrEqual(sent.length);
    }

    const bobDevices = async () => [...((await aliceLaptop.getCrypto()!.getUserDeviceInfo([bob.userId], true)).get(bob.userId)?.keys() ?? [])].sort();
    expect(await bobDevices()).toEqual([bob.deviceId, bobLaptopId].sort());

    // Bob logs in on a tablet now that the room exists. His server tells alice's (m.device_list_update with the
    // new device's keys), her devices re-query his keys, and her next message is readable there too.
    const bobTabletLogin = await loginAgainOn(bob);
    const bobTablet = await startDeviceOn(guest, bobTabletLogin);
    started.push(bobTablet);
    await waitOn(aliceLaptop, async () => ((await bobDevices()).includes(bobTabletLogin.deviceId) ? true : undefined), "alice's laptop learns of bob's new tablet");
    const forTablet = `for the tablet too ${Date.now()}`;
    const { event_id: forTabletId } = await aliceLaptop.sendMessage(roomId, { msgtype: MsgType.Text, body: forTablet });
    for (const [label, device] of [["bob's tablet", bobTablet], ["bob's phone", bobPhone], ["bob's laptop", bobLaptop], ["alice's phone", alicePhone]] as const) {
      expect(await decryptedOn(device, roomId, forTabletId, label)).toMatchObject({ body: forTablet });
    }
    sent.push({ eventId: forTabletId, body: forTablet, from: "alice's laptop" });

    // Bob signs out of his laptop. Alice's server hears of it (m.device_list_update, deleted) and tells her
    // devices (device_lists.changed); her laptop then knows only bob's phone and tablet.
    expect(await bobDevices()).toEqual([bob.deviceId, bobLaptopId, bobTabletLogin.deviceId].sort());
    await bobLaptop.logout(true);
    await waitOn(aliceLaptop, async () => ((await bobDevices()).includes(bobLaptopId) ? undefined : true), "alice's laptop drops bob's signed-out laptop");
    expect(await bobDevices()).toEqual([bob.deviceId, bobTabletLogin.deviceId].sort());

    // Her next message is in a new megolm session whose key goes to bob's phone and tablet and her phone, not
    // the laptop.
    const lastBefore = sent.at(-1)!;
    aliceSent.length = 0;
    const after = `after bob's laptop left ${Date.now()}`;
    const { event_id: afterId } = await aliceLaptop.sendMessage(roomId, { msgtype: MsgType.Text, body: after });
    const recipients = aliceSent.filter((s) => s.eventType === "m.room.encrypted").flatMap((s) => s.recipients);
    expect(recipients).toContain(`${bob.userId}/${bob.deviceId}`);
    expect(recipients).toContain(`${bob.userId}/${bobTabletLogin.deviceId}`);
    expect(recipients).toContain(`${alice.userId}/${alicePhoneLogin.deviceId}`);
    expect(recipients).not.toContain(`${bob.userId}/${bobLaptopId}`);
    for (const [label, device] of [["bob's phone", bobPhone], ["bob's tablet", bobTablet], ["alice's phone", alicePhone]] as const) {
      expect(await decryptedOn(device, roomId, afterId, label)).toMatchObject({ body: after });
    }
    expect(megolmSessionOf(bobPhone, roomId, afterId)).toEqual(expect.any(String));
    expect(megolmSessionOf(bobPhone, roomId, afterId)).not.toBe(megolmSessionOf(bobPhone, roomId, lastBefore.eventId));
    expect(encryptedEvents(bobPhone, roomId).length).toBeGreaterThanOrEqual(sent.length + 1);
  });
});
