import { encodeUnpaddedBase64, encodeUnpaddedUrlSafeBase64 } from "../crypto/base64.js";
import { eventReference } from "./event-references.js";
import { createHash, randomBytes } from "node:crypto";
import { computeContentHash, computeReferenceHash } from "../crypto/event-hashes.js";
import { signingBytes, signJson } from "../crypto/signed-json.js";
import { signBytes } from "../crypto/ed25519.js";
import type { SigningKey } from "../crypto/signing-key.js";
import type { EventReference, IdentifiedPdu, JsonObject, Pdu } from "../events/pdu.js";
import { redactEvent } from "../events/redaction.js";
import type { RoomVersion } from "../events/room-versions.js";

/** The reference-hash event id of a v3+ event; v1/v2 ids are carried in the event itself. */
export function computeEventId(pdu: Pdu, version: RoomVersion): string {
  if (version.eventIdFormat === "server-generated") {
    if (!pdu.event_id) throw new Error("room versions 1 and 2 carry event_id in the event");
    return pdu.event_id;
  }
  const { event_id: _ignored, ...withoutId } = pdu;
  const hash = computeReferenceHash(redactEvent(withoutId as Pdu, version) as Record<string, unknown>);
  return `$${version.eventIdFormat === "base64" ? encodeUnpaddedBase64(hash) : encodeUnpaddedUrlSafeBase64(hash)}`;
}

export interface EventDraft {
  type: string;
  stateKey?: string;
  sender: string;
  content: JsonObject;
  /** Top-level `redacts` for room versions before 11 (v11+ carries it in content). */
  redacts?: string;
}

export interface EventPlacement {
  roomId: string | undefined;
  prevEvents: string[];
  authEvents: string[];
  depth: number;
  originServerTs: number;
  /**
   * The events cited in prevEvents and authEvents, where the builder has them: room versions 1 and 2 cite an
   * event with its reference hash, `[id, {sha256}]`, which the spec requires and some servers check.
   */
  cited?: ReadonlyMap<string, IdentifiedPdu>;
}

/**
 * Builds, hashes and signs a PDU originating here. The v12 create event has no room_id: the room id is
 * derived from its event id, so the caller computes it afterwards.
 */
export function buildLocalEvent(
  draft: EventDraft,
  placement: EventPlacement,
  version: RoomVersion,
  serverName: string,
  key: SigningKey,
): IdentifiedPdu {
  const unhashed: Pdu = {
    auth_events: placement.authEvents,
    content: draft.content,
    depth: placement.depth,
    origin_server_ts: placement.originServerTs,
    prev_events: placement.prevEvents,
    sender: draft.sender,
    type: draft.type,
  };
  if (placement.roomId !== undefined) unhashed.room_id = placement.roomId;
  if (draft.stateKey !== undefined) unhashed.state_key = draft.stateKey;
  if (draft.redacts !== undefined && !version.redactsInContent) unhashed.redacts = draft.redacts;
  // Versions before 11 still expect `origin`; v11 removed it from the event format.
  if (version.redactionRules.keepOriginMembershipPrevState) unhashed.origin = serverName;
  if (version.eventIdFormat === "server-generated") {
    unhashed.event_id = `$${randomBytes(18).toString("base64url")}:${serverName}`;
    // v1/v2 cite events as [id, {sha256}] pairs. An event the caller could not hand over is cited with no
    // hash rather than not at all (Synapse accepts that; the hash only lets a receiver check the reference).
    const cite = (id: string): EventReference => {
      const pdu = placement.cited?.get(id);
      return pdu ? eventReference(pdu, version) : [id, {}];
    };
    unhashed.prev_events = placement.prevEvents.map(cite);
    unhashed.auth_events = placement.authEvents.map(cite);
  }
  const hashed: Pdu = { ...unhashed, hashes: { sha256: computeContentHash(unhashed as Record<string, unknown>) } };
  // The signature covers the redacted event so it survives redaction.
  const redacted = redactEvent(hashed, version);
  if (version.eventIdFormat === "server-generated") {
    const signatures = signJson(redacted as Record<string, unknown>, serverName, key).signatures;
    return { ...hashed, signatures, event_id: hashed.event_id! } as IdentifiedPdu;
  }
  // A new event has no signatures, unsigned data or age_ts yet, so the bytes we sign are exactly the bytes
  // of its reference hash: canonicalise once, use twice (this is the hot path of every send).
  const bytes = signingBytes(redacted as Record<string, unknown>);
  const signatures = { [serverName]: { [key.keyId]: encodeUnpaddedBase64(signBytes(key, bytes)) } };
  const hash = createHash("sha256").update(bytes).digest();
  const eventId = `$${version.eventIdFormat === "base64" ? encodeUnpaddedBase64(hash) : encodeUnpaddedUrlSafeBase64(hash)}`;
  return { ...hashed, signatures, event_id: eventId } as IdentifiedPdu;
}
