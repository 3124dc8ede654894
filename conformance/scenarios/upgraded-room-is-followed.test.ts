import { EventType, KnownMembership, Preset, type MatrixClient } from "matrix-js-sdk";
import { afterEach, describe, expect, it } from "vitest";
import { registerUsers } from "../support/register-user.js";
import { startFullClient, stopFullClient, waitFor, waitForRoom } from "../support/full-client.js";

describe("upgrading a room", () => {
  const started: MatrixClient[] = [];
  afterEach(() => {
    for (const client of started.splice(0)) stopFullClient(client);
  });

  it("a member's client sees the tombstone in the old room, joins the replacement and finds the predecessor there", async () => {
    const [alice, bob] = await registerUsers(2, "upgrade");
    const { room_id: oldRoomId } = await alice.client.createRoom({ preset: Preset.PublicChat, name: "before the upgrade", room_version: "10" });
    await bob.client.joinRoom(oldRoomId);
    const bobClient = await startFullClient(bob);
    started.push(bobClient);
    await waitForRoom(bobClient, oldRoomId, (room) => room.getMyMembership() === KnownMembership.Join);

    const { replacement_room: newRoomId } = await alice.client.upgradeRoom(oldRoomId, "11");
    expect(newRoomId).not.toBe(oldRoomId);

    const tombstone = await waitFor(
      bobClient,
      () => bobClient.getRoom(oldRoomId)?.currentState.getStateEvents(EventType.RoomTombstone, "") ?? undefined,
      "the tombstone in the old room",
    );
    expect(tombstone.getSender()).toBe(alice.userId);
    expect(tombstone.getContent().replacement_room).toBe(newRoomId);

    // Ordinary members can no longer speak in the old room.
    await expect(bob.client.sendTextMessage(oldRoomId, "anyone here?")).rejects.toMatchObject({ httpStatus: 403 });

    await bobClient.joinRoom(newRoomId);
    const newRoom = await waitForRoom(bobClient, newRoomId, (room) => room.getMyMembership() === KnownMembership.Join);
    expect(newRoom.findPredecessor()?.roomId).toBe(oldRoomId);
    const create = newRoom.currentState.getStateEvents(EventType.RoomCreate, "");
    expect(create?.getContent().room_version).toBe("11");
    expect(newRoom.name).toBe("before the upgrade");
  });

  it("refuses an unknown room version with 400 M_UNSUPPORTED_ROOM_VERSION and a member without power with 403 M_FORBIDDEN", async () => {
    const [alice, bob] = await registerUsers(2, "upgrade-refused");
    const { room_id: roomId } = await alice.client.createRoom({ preset: Preset.PublicChat });
    await bob.client.joinRoom(roomId);
    await expect(alice.client.upgradeRoom(roomId, "no-such-version")).rejects.toMatchObject({ httpStatus: 400, errcode: "M_UNSUPPORTED_ROOM_VERSION" });
    await expect(bob.client.upgradeRoom(roomId, "11")).rejects.toMatchObject({ httpStatus: 403, errcode: "M_FORBIDDEN" });
  });
});
