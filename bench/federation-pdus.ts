import { authEventTypesFor } from "../homeserver/events/auth-rules/index.js";
import { buildLocalEvent } from "../homeserver/rooms/event-factory.js";
import type { RoomMemory } from "../homeserver/rooms/persist/room-memory.js";
import { toWirePdu } from "../homeserver/rooms/remote/index.js";
import type { Crafted } from "../federation/routes/testing/events.js";
import type { Peer } from "../federation/routes/testing/peers.js";

/**
 * `count` m.room.message PDUs by `sender` (a user of `peer`), as `peer`'s server would send them: signed with
 * its key, hashed, each citing the one before as its only prev_event (the first cites the room's current
 * extremities), auth events taken from `memory` — the receiving side's view of the room, where the sender has joined.
 */
export function craftChain(peer: Peer, memory: RoomMemory, sender: string, count: number): Crafted[] {
  const draftFor = (i: number) => ({ type: "m.room.message", sender, content: { msgtype: "m.text", body: `federated message ${i}` } });
  const authEvents = authEventTypesFor({ type: "m.room.message", sender, content: draftFor(0).content }, memory.version)
    .map(([type, key]) => memory.stateEvent(type, key)?.event_id)
    .filter((id): id is string => id !== undefined);
  const chain: Crafted[] = [];
  let prevEvents = memory.extremities;
  let depth = memory.maxDepth;
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    const pdu = buildLocalEvent(
      draftFor(i),
      { roomId: memory.roomId, prevEvents, authEvents, depth: ++depth, originServerTs: now + i },
      memory.version,
      peer.name,
      peer.app.ctx.signingKey,
    );
    chain.push({ pdu, wire: toWirePdu(pdu, memory.version) });
    prevEvents = [pdu.event_id];
  }
  return chain;
}

export function joinedMembers(memory: RoomMemory): number {
  let joined = 0;
  for (const event of memory.state.values()) if (event.type === "m.room.member" && event.content.membership === "join") joined++;
  return joined;
}
