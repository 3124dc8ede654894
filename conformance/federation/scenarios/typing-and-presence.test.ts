import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { SyncResponse } from "../../support/sync-types.js";
import { directions, type PeerUser } from "../support/peers.js";
import { sharedRoom } from "../support/shared-room.js";

interface EphemeralEvent {
  type: string;
  sender?: string;
  content: Record<string, unknown>;
}

/** The user ids of the room's m.typing in this response, if it has one (the SyncResponse type omits ephemeral). */
function typingIn(response: SyncResponse, roomId: string): string[] | undefined {
  const room = response.rooms?.join?.[roomId] as { ephemeral?: { events?: EphemeralEvent[] } } | undefined;
  const event = room?.ephemeral?.events?.find((e) => e.type === "m.typing");
  return event ? (event.content.user_ids as string[]) : undefined;
}

function presenceIn(response: SyncResponse, userId: string): Record<string, unknown> | undefined {
  const events = (response as { presence?: { events?: EphemeralEvent[] } }).presence?.events ?? [];
  return events.find((e) => e.type === "m.presence" && e.sender === userId)?.content;
}

/** Syncs `viewer` until the room's m.typing lists exactly `expected`. */
async function awaitTyping(viewer: PeerUser, roomId: string, expected: string[]): Promise<void> {
  let last: string[] | undefined;
  await viewer.sync.syncUntilResponse(
    (response) => {
      last = typingIn(response, roomId) ?? last;
      return last !== undefined && [...last].sort().join() === [...expected].sort().join();
    },
    `m.typing ${JSON.stringify(expected)} in ${roomId} for ${viewer.userId} (last seen ${JSON.stringify(last)})`,
  );
}

/** Syncs `viewer` until `subject`'s m.presence has the `wanted` fields, and returns its content. */
async function awaitPresence(viewer: PeerUser, subject: string, wanted: Record<string, unknown>): Promise<Record<string, unknown>> {
  let found: Record<string, unknown> | undefined;
  await viewer.sync.syncUntilResponse((response) => {
    const content = presenceIn(response, subject);
    if (content && Object.entries(wanted).every(([key, value]) => content[key] === value)) found = content;
    return found !== undefined;
  }, `m.presence of ${subject} with ${JSON.stringify(wanted)} for ${viewer.userId}`);
  return found!;
}

describe.each(directions())("typing and presence across servers ($label)", ({ host, guest }) => {
  it("a remote member's typing shows in the other server's /sync, and so does its end; the other way too", async () => {
    const { roomId, owner, visitor } = await sharedRoom(host, guest, "typing across servers");

    await visitor.client.sendTyping(roomId, true, 30_000);
    await awaitTyping(owner, roomId, [visitor.userId]);
    await visitor.client.sendTyping(roomId, false, 0);
    await awaitTyping(owner, roomId, []);

    await owner.client.sendTyping(roomId, true, 30_000);
    await awaitTyping(visitor, roomId, [owner.userId]);
    await owner.client.sendTyping(roomId, false, 0);
    await awaitTyping(visitor, roomId, []);
  });

  it("presence set on one server shows on the other for a room-mate, with its status message", async () => {
    const { owner, visitor } = await sharedRoom(host, guest, "presence across servers");
    const visitorStatus = `commuting ${randomBytes(3).toString("hex")}`;
    await visitor.client.setPresence({ presence: "online", status_msg: visitorStatus });
    const seen = await awaitPresence(owner, visitor.userId, { presence: "online", status_msg: visitorStatus });
    expect(typeof seen.last_active_ago).toBe("number");

    const ownerStatus = `in a meeting ${randomBytes(3).toString("hex")}`;
    await owner.client.setPresence({ presence: "unavailable", status_msg: ownerStatus });
    await awaitPresence(visitor, owner.userId, { presence: "unavailable", status_msg: ownerStatus });
    // GET /presence on the viewer's own server answers from what the other server told it.
    const got = await visitor.client.getPresence(owner.userId);
    expect(got.presence).toBe("unavailable");
    expect(got.status_msg).toBe(ownerStatus);
  });
});
