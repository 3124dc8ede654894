/**
 * Which servers must have signed an event for it to be authorised. Verifying signatures needs
 * the servers' keys (I/O), so checkEventAuth does not do it; the federation ingest verifies a
 * valid signature from every server this returns before calling checkEventAuth.
 */
import type { Pdu } from "../pdu.js";
import type { RoomVersion } from "../room-versions.js";
import { MEMBER, has, isObject, serverNameOf } from "./common.js";
import { authorisingUserOf } from "./member.js";

export function requiredSignatureServers(event: Pdu, version: RoomVersion): string[] {
  const servers = new Set<string>();
  // A third-party-invite redemption may be sent on the inviter's behalf by another server, so,
  // like Synapse, we do not insist on the sender's server for it; its own signed block is checked.
  const isThirdPartyInvite =
    event.type === MEMBER && event.content["membership"] === "invite" && has(event.content, "third_party_invite");
  const senderServer = serverNameOf(event.sender);
  if (senderServer && !isThirdPartyInvite) servers.add(senderServer);
  if (version.signedByEventIdDomain && typeof event.event_id === "string") {
    const idServer = serverNameOf(event.event_id);
    if (idServer) servers.add(idServer);
  }
  // Rule "join_authorised_via_users_server: the event must be validly signed by that user's server".
  if (isObject(event.content)) {
    const authoriser = authorisingUserOf(event, version);
    const authoriserServer = authoriser ? serverNameOf(authoriser) : undefined;
    if (authoriserServer) servers.add(authoriserServer);
  }
  return [...servers];
}

/**
 * The presence half of the signature rules, for callers that have already verified every
 * signature present: each required server must appear in `signatures`.
 */
export function missingSignatureServers(event: Pdu, version: RoomVersion): string[] {
  const signatures = isObject(event.signatures) ? event.signatures : {};
  return requiredSignatureServers(event, version).filter((server) => !has(signatures, server));
}
