import { randomBytes } from "node:crypto";
import { computeContentHash } from "../../crypto/event-hashes.js";
import { signJson } from "../../crypto/signed-json.js";
import type { SigningKey } from "../../crypto/signing-key.js";
import type { IdentifiedPdu, JsonObject, Pdu } from "../../events/pdu.js";
import { redactEvent } from "../../events/redaction.js";
import type { RoomVersion } from "../../events/room-versions.js";
import { computeEventId } from "../event-factory.js";

/**
 * Turns a make_join / make_leave template from the resident server into our signed event: our timestamp
 * and content, the content hash, our signature, and the event id that follows from them. In room
 * versions 1 and 2 the event id is not derived but chosen by the server that creates the event (us, not
 * the resident server that wrote the template), and that server must sign it.
 */
export function completeTemplate(
  template: Record<string, unknown>,
  version: RoomVersion,
  serverName: string,
  key: SigningKey,
  now: number,
  content: JsonObject,
): IdentifiedPdu {
  const { signatures: _s, hashes: _h, unsigned: _u, event_id: _e, ...fields } = template;
  const event: Pdu = { ...(fields as unknown as Pdu), content, origin_server_ts: now };
  if (version.eventIdFormat === "server-generated") event.event_id = `$${randomBytes(18).toString("base64url")}:${serverName}`;
  if (version.redactionRules.keepOriginMembershipPrevState) event.origin = serverName;
  else delete event.origin;
  const hashed: Pdu = { ...event, hashes: { sha256: computeContentHash(event as Record<string, unknown>) } };
  const signatures = signJson(redactEvent(hashed, version) as Record<string, unknown>, serverName, key).signatures;
  const signed: Pdu = { ...hashed, signatures };
  return { ...signed, event_id: computeEventId(signed, version) };
}

/** Adds our signature to another server's event (invites we accept, restricted joins we authorise). */
export function countersign(pdu: Pdu, version: RoomVersion, serverName: string, key: SigningKey): Pdu {
  const mine = signJson(redactEvent(pdu, version) as Record<string, unknown>, serverName, key).signatures[serverName];
  return { ...pdu, signatures: { ...(pdu.signatures ?? {}), [serverName]: mine } };
}
