import { computeContentHash } from "../../crypto/event-hashes.js";
import { checkEventLimits, requiredSignatureServers } from "../../events/auth-rules/index.js";
import type { IdentifiedPdu, Pdu } from "../../events/pdu.js";
import { redactEvent } from "../../events/redaction.js";
import type { RoomVersion } from "../../events/room-versions.js";
import { keyValidityTimeFor, type ServerKeys } from "../../federation-keys/server-keys.js";
import { computeEventId } from "../event-factory.js";

export type IncomingCheck =
  | { ok: true; pdu: IdentifiedPdu; /** The content hash did not match, so we keep only the redacted form. */ redacted: boolean }
  | { ok: false; eventId?: string; reason: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The checks every PDU from another server passes before it may touch room state (spec: "Checks performed
 * on receipt of a PDU", steps 1–3): valid format and size, valid signatures from every server that must
 * sign, and a matching content hash — on a mismatch the event is kept redacted rather than refused.
 */
export async function checkIncomingPdu(raw: unknown, version: RoomVersion, keys: ServerKeys): Promise<IncomingCheck> {
  if (!isObject(raw)) return { ok: false, reason: "PDU is not a JSON object" };
  const { unsigned: _unsigned, ...withoutUnsigned } = raw;
  const pdu = withoutUnsigned as Pdu;
  if (!isObject(pdu.hashes) || typeof pdu.hashes.sha256 !== "string") return { ok: false, reason: "PDU has no sha256 content hash" };
  if (!isObject(pdu.signatures)) return { ok: false, reason: "PDU has no signatures" };
  if (typeof pdu.origin_server_ts !== "number" || typeof pdu.depth !== "number") {
    return { ok: false, reason: "origin_server_ts and depth must be integers" };
  }
  if (version.eventIdFormat === "server-generated" && typeof pdu.event_id !== "string") {
    return { ok: false, reason: "room versions 1 and 2 need event_id" };
  }
  let eventId: string;
  try {
    eventId = computeEventId(pdu, version);
  } catch (error) {
    return { ok: false, reason: `cannot compute event id: ${(error as Error).message}` };
  }
  const identified = { ...pdu, event_id: eventId } as IdentifiedPdu;
  const limits = checkEventLimits(identified, version);
  if (!limits.ok) return { ok: false, eventId, reason: limits.reason };

  const redacted = redactEvent(pdu, version) as Record<string, unknown>;
  const validAt = keyValidityTimeFor(version, pdu.origin_server_ts);
  for (const server of requiredSignatureServers(identified, version)) {
    if (!(await keys.verifySignedJson(redacted, server, validAt))) {
      return { ok: false, eventId, reason: `missing or invalid signature of ${server}` };
    }
  }
  if (computeContentHash(pdu as Record<string, unknown>) !== pdu.hashes.sha256) {
    return { ok: true, pdu: { ...(redacted as Pdu), event_id: eventId } as IdentifiedPdu, redacted: true };
  }
  return { ok: true, pdu: identified, redacted: false };
}
