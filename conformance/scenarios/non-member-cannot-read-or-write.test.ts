import { Direction, Preset } from "matrix-js-sdk";
import { beforeAll, describe, expect, it } from "vitest";
import { expectMatrixError } from "../support/matrix-error.js";
import { registerUsers, type TestUser } from "../support/register-user.js";
import { sendText } from "../support/send-text.js";

describe("a user who is not a member of a private room", () => {
  let outsider: TestUser;
  let roomId: string;
  let messageId: string;

  beforeAll(async () => {
    const [owner, other] = await registerUsers(2, "private");
    outsider = other!;
    ({ room_id: roomId } = await owner!.client.createRoom({ preset: Preset.PrivateChat, name: "members only" }));
    messageId = await sendText(owner!.client, roomId, "secret");
  });

  it("cannot read its messages: GET /messages is 403 M_FORBIDDEN", async () => {
    const error = await expectMatrixError(() => outsider.client.createMessagesRequest(roomId, null, 10, Direction.Backward));
    expect(error).toEqual({ status: 403, errcode: "M_FORBIDDEN" });
  });

  it("cannot read its state: GET /state is 403 M_FORBIDDEN", async () => {
    const error = await expectMatrixError(() => outsider.client.roomState(roomId));
    expect(error).toEqual({ status: 403, errcode: "M_FORBIDDEN" });
  });

  it("cannot read its members: GET /joined_members is 403 M_FORBIDDEN", async () => {
    const error = await expectMatrixError(() => outsider.client.getJoinedRoomMembers(roomId));
    expect(error).toEqual({ status: 403, errcode: "M_FORBIDDEN" });
  });

  it("cannot read one of its events: GET /event/{eventId} is 404 M_NOT_FOUND or 403 M_FORBIDDEN", async () => {
    // The spec documents 404 for "not found or you do not have permission to read this event" (Synapse's
    // answer); 403 M_FORBIDDEN is the general refusal. Either way the event must not be returned.
    const error = await expectMatrixError(() => outsider.client.fetchRoomEvent(roomId, messageId));
    expect([
      { status: 404, errcode: "M_NOT_FOUND" },
      { status: 403, errcode: "M_FORBIDDEN" },
    ]).toContainEqual(error);
  });

  it("cannot send into it: PUT /send is 403 M_FORBIDDEN", async () => {
    const error = await expectMatrixError(() => sendText(outsider.client, roomId, "intrusion"));
    expect(error).toEqual({ status: 403, errcode: "M_FORBIDDEN" });
  });
});
