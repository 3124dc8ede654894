import { Direction, KnownMembership, Preset, type MatrixClient } from "matrix-js-sdk";
import { afterEach, describe, expect, it } from "vitest";
import { startFullClient, stopFullClient, waitForRoom, waitForTimelineEvent } from "../support/full-client.js";
import { createMatrixClient } from "../support/matrix-client.js";
import { expectMatrixError } from "../support/matrix-error.js";
import { registerUser } from "../support/register-user.js";
import { sendText } from "../support/send-text.js";

/** A guest account (POST /register?kind=guest) and a client acting as it. Needs guest access on the server. */
async function registerGuest() {
  const { user_id, access_token, device_id } = await createMatrixClient().registerGuest({ body: {} });
  const client = createMatrixClient({ userId: user_id, accessToken: access_token!, deviceId: device_id! });
  client.setGuest(true);
  return { userId: user_id, client };
}

describe("guest access", () => {
  const started: MatrixClient[] = [];
  afterEach(() => {
    for (const client of started.splice(0)) stopFullClient(client);
  });

  it("a guest's full client starts syncing, joins a guest-access room, reads its history and talks in it", async () => {
    const owner = await registerUser("guestclienthost");
    const { room_id: open } = await owner.client.createRoom({
      preset: Preset.PublicChat,
      initial_state: [{ type: "m.room.guest_access", state_key: "", content: { guest_access: "can_join" } }],
    });
    await sendText(owner.client, open, "hello, guest client");
    const { user_id, access_token, device_id } = await createMatrixClient().registerGuest({ body: {} });
    const guest = await startFullClient({ userId: user_id, accessToken: access_token!, deviceId: device_id! }, { guest: true });
    started.push(guest);
    await guest.joinRoom(open);
    await waitForRoom(guest, open, (room) => room.getMyMembership() === KnownMembership.Join);
    await waitForTimelineEvent(guest, open, (e) => e.getContent().body === "hello, guest client");
    await sendText(guest, open, "a guest replies");
    const ownerClient = await startFullClient(owner);
    started.push(ownerClient);
    const reply = await waitForTimelineEvent(ownerClient, open, (e) => e.getContent().body === "a guest replies");
    expect(reply.getSender()).toBe(user_id);
  });

  it("a guest joins a room whose guest_access is can_join, reads it and writes to it, and nothing more", async () => {
    const owner = await registerUser("guesthost");
    const { room_id: open } = await owner.client.createRoom({
      preset: Preset.PublicChat,
      initial_state: [{ type: "m.room.guest_access", state_key: "", content: { guest_access: "can_join" } }],
    });
    await sendText(owner.client, open, "welcome, guests");
    const { room_id: closed } = await owner.client.createRoom({ preset: Preset.PublicChat });

    const guest = await registerGuest();
    expect((await guest.client.whoami()).is_guest).toBe(true);

    await guest.client.joinRoom(open);
    const page = await guest.client.createMessagesRequest(open, null, 20, Direction.Backward);
    expect(page.chunk.some((e) => e.type === "m.room.message" && e.content.body === "welcome, guests")).toBe(true);
    await sendText(guest.client, open, "hello from a guest");
    const members = await guest.client.members(open);
    expect(members.chunk.map((e) => e.state_key)).toContain(guest.userId);

    // A public room that does not let guests in refuses the join: 403, with M_GUEST_ACCESS_FORBIDDEN (Myelin) or
    // M_FORBIDDEN (Synapse); the spec's /join lets the server pick a meaningful errcode.
    const refused = await expectMatrixError(() => guest.client.joinRoom(closed));
    expect(refused.status).toBe(403);
    expect(["M_GUEST_ACCESS_FORBIDDEN", "M_FORBIDDEN"]).toContain(refused.errcode);
    // And endpoints outside the guest list are refused.
    expect(await expectMatrixError(() => guest.client.createRoom({}))).toEqual({ status: 403, errcode: "M_GUEST_ACCESS_FORBIDDEN" });
  });
});
