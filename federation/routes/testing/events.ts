import type { SigningKey } from "../../../homeserver/crypto/signing-key.js";
import { authEventTypesFor } from "../../../homeserver/events/auth-rules/index.js";
import type { IdentifiedPdu, JsonObject } from "../../../homeserver/events/pdu.js";
import { buildLocalEvent } from "../../../homeserver/rooms/event-factory.js";
import { toWirePdu } from "../../../homeserver/rooms/remote/index.js";
import type { Peer } from "./peers.js";

export interface Crafted {
  pdu: IdentifiedPdu;
  /** As it goes over federation (no event_id from room version 3 on). */
  wire: Record<string, unknown>;
}

/**
 * An event built by `peer` on top of its current view of the room, as its server would send it, without
 * persisting it there: a way to make PDUs the receiving side must refuse (a foreign key, a sender not in the room).
 */
export async function craftEvent(
  peer: Peer,
  roomId: string,
  draft: { type: string; sender: string; content: JsonObject; stateKey?: string },
  signingKey: SigningKey = peer.app.ctx.signingKey,
): Promise<Crafted> {
  const memory = (await peer.app.ctx.rooms.persister.roomMemory(roomId))!;
  const authEvents = authEventTypesFor({ type: draft.type, sender: draft.sender, state_key: draft.stateKey, content: draft.content }, memory.version)
    .map(([type, key]) => memory.stateEvent(type, key)?.event_id)
    .filter((id): id is string => id !== undefined);
  const pdu = buildLocalEvent(
    draft,
    { roomId, prevEvents: memory.extremities, authEvents, depth: memory.maxDepth + 1, originServerTs: Date.now() },
    memory.version,
    peer.name,
    signingKey,
  );
  return { pdu, wire: toWirePdu(pdu, memory.version) };
}

/** An event `peer` holds, in wire form, as its server would send it in a transaction. */
export async function wireEvent(peer: Peer, eventId: string): Promise<Record<string, unknown>> {
  const stored = (await peer.app.ctx.stores.events.get(eventId))!;
  const memory = (await peer.app.ctx.rooms.persister.roomMemory(stored.pdu.room_id ?? `!${eventId.slice(1)}`))!;
  return toWirePdu(stored.pdu, memory.version);
}
