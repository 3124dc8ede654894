import { Preset } from "matrix-js-sdk";
import { sendText } from "../../support/send-text.js";
import { registerOn, type PeerDescription, type PeerUser } from "./peers.js";
import { awaitMembership, joinWithQuery } from "./room-views.js";

export interface SharedRoom {
  roomId: string;
  /** On the server the room was created on. */
  owner: PeerUser;
  /** On the other server, joined over federation. */
  visitor: PeerUser;
}

/**
 * A public room created by a user of `host` and joined by a user of `guest`; returns once the owner has seen
 * the join and the visitor's /sync shows the room.
 */
export async function sharedRoom(host: PeerDescription, guest: PeerDescription, name: string): Promise<SharedRoom> {
  const [owner, visitor] = await Promise.all([registerOn(host, "owner"), registerOn(guest, "visitor")]);
  const { room_id: roomId } = await owner.client.createRoom({ preset: Preset.PublicChat, name });
  await joinWithQuery(visitor.client, roomId, { server_name: host.serverName, via: host.serverName });
  await awaitMembership(owner, roomId, visitor.userId, "join");
  await visitor.sync.syncUntil(
    () => visitor.sync.timeline(roomId).length > 0,
    () => `${roomId} never appeared under rooms.join in the joiner's /sync`,
  );
  return { roomId, owner, visitor };
}

/** Sends `count` text messages one after the other (each after the previous one was accepted). */
export async function sendMessages(user: PeerUser, roomId: string, count: number, label: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(await sendText(user.client, roomId, `${label} ${i + 1}/${count}`));
  return ids;
}
