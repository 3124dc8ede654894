/**
 * Redactions and the auth rules. In v1/v2 a redaction is authorised at receipt (rule 11). From
 * v3 any redaction the send-level rules allow is accepted, and whether it is *applied* is decided
 * later, once the redacted event is known ("Handling redactions"): canApplyRedaction.
 */
import type { IdentifiedPdu, Pdu, StateLookup } from "../pdu.js";
import type { RoomVersion } from "../room-versions.js";
import { ALLOW, reject, serverNameOf, type AuthResult } from "./common.js";
import { namedPowerLevel, userPowerLevel } from "./power-levels.js";

/** The id a redaction targets: `content.redacts` from v11, the top-level `redacts` before. */
export function redactsOf(event: Pdu, version: RoomVersion): string | undefined {
  const redacts = version.redactsInContent ? event.content["redacts"] : event.redacts;
  return typeof redacts === "string" ? redacts : undefined;
}

/** v1/v2 rule 11: the redact level, or the same server as the redacted event's id. */
export function checkRedactionAuthRule(event: IdentifiedPdu, authState: StateLookup, version: RoomVersion): AuthResult {
  if (userPowerLevel(event.sender, authState, version) >= namedPowerLevel("redact", authState, version)) return ALLOW;
  const target = redactsOf(event, version);
  const targetServer = target !== undefined ? serverNameOf(target) : undefined;
  if (targetServer !== undefined && targetServer === serverNameOf(event.event_id)) return ALLOW;
  return reject("redacting another server's event needs the redact level");
}

/**
 * Whether an accepted redaction may be applied to `original` ("Handling redactions", v3+; for
 * v1/v2 the rule-11 condition). `authState` is the state the redaction was authorised against.
 * A false result means: keep the redaction pending and re-check when more is known.
 */
export function canApplyRedaction(
  redaction: IdentifiedPdu,
  original: IdentifiedPdu,
  authState: StateLookup,
  version: RoomVersion,
): boolean {
  if (redactsOf(redaction, version) !== original.event_id) return false;
  if (redaction.room_id !== original.room_id) return false;
  if (userPowerLevel(redaction.sender, authState, version) >= namedPowerLevel("redact", authState, version)) return true;
  if (version.redactionInAuthRules) {
    return serverNameOf(redaction.event_id) === serverNameOf(original.event_id);
  }
  return serverNameOf(redaction.sender) === serverNameOf(original.sender);
}
