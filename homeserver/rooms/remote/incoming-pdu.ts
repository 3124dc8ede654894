import { computeContentHash } from "../../crypto/event-hashes.js";
import { jsonInputProblem, MAX_JSON_DEPTH } from "../../json-limits.js";
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
  // However it reached us (a transaction, missing events, backfill, a join's state), the database cannot
  // keep U+0000 and the canonical JSON of a deeply nested event would overflow the stack.
  const problem = jsonInputProblem(raw, { maxDepth: MAX_JSON_DEPTH + 1 });
  if (problem) return { ok: false, reason: `PDU refused: ${problem}` };
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
  const badReference = referenceFormatError(pdu, version);
  if (badReference) return { ok: false, reason: badReference };
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

/**
 * prev_events and auth_events in the room version's format: [event_id, {sha256}] pairs in v1/v2 (the hash is
 * not required here: servers, Synapse among them, have sent `{}`), bare event ids from v3 on.
 */
function referenceFormatError(pdu: Pdu, version: RoomVersion): string | undefined {
  const pairs = version.eventIdFormat === "server-generated";
  for (const field of ["prev_events", "auth_events"] as const) {
    const refs: unknown = pdu[field];
    if (!Array.isArray(refs)) return `${field} must be a list`;
    const ok = pairs
      ? refs.every((r) => Array.isArray(r) && r.length === 2 && typeof r[0] === "string" && isObject(r[1]))
      : refs.every((r) => typeof r === "string");
    if (!ok) return pairs ? `${field} must hold [event_id, {sha256}] pairs in room version ${version.id}` : `${field} must hold event ids in room version ${version.id}`;
  }
  return undefined;
}
