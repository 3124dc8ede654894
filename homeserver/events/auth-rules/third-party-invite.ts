/**
 * Invites that redeem a third-party (e-mail, phone) invite: the identity server signed a block
 * binding the token to the invitee's Matrix id, with a key published in the room's
 * m.room.third_party_invite event. Checking that signature here makes the invite verifiable by
 * every server without trusting the identity server at auth time.
 */
import { createPublicKey, verify, type KeyObject } from "node:crypto";
import { canonicalJson } from "../../crypto/canonical-json.js";
import type { IdentifiedPdu, JsonObject, StateLookup } from "../pdu.js";
import { ALLOW, THIRD_PARTY_INVITE, isObject, membershipOf, reject, type AuthResult } from "./common.js";

// DER prefix turning a raw 32-byte Ed25519 public key into SubjectPublicKeyInfo for node:crypto.
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** Unpadded base64 in either alphabet, as identity servers publish keys both ways. */
function decodeBase64Lenient(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/\-_]*={0,2}$/.test(text)) return undefined;
  return Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64");
}

function ed25519Key(publicKeyBase64: string): KeyObject | undefined {
  const raw = decodeBase64Lenient(publicKeyBase64);
  if (!raw || raw.length !== 32) return undefined;
  try {
    return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: "der", type: "spki" });
  } catch {
    return undefined;
  }
}

/** Public keys of an m.room.third_party_invite: `public_key` and every `public_keys[].public_key`. */
export function thirdPartyInvitePublicKeys(content: JsonObject): string[] {
  const keys: string[] = [];
  if (typeof content["public_key"] === "string") keys.push(content["public_key"]);
  const list = content["public_keys"];
  if (Array.isArray(list)) {
    for (const entry of list) {
      if (isObject(entry) && typeof entry["public_key"] === "string") keys.push(entry["public_key"]);
    }
  }
  return keys;
}

/** True if any ed25519 signature in `signed.signatures` verifies under any of `publicKeys`. */
export function signedBlockMatchesAnyKey(signed: JsonObject, publicKeys: string[]): boolean {
  const signatures = signed["signatures"];
  if (!isObject(signatures)) return false;
  const { signatures: _signatures, unsigned: _unsigned, ...payload } = signed;
  const message = Buffer.from(canonicalJson(payload), "utf8");
  const keys = publicKeys.map(ed25519Key).filter((k): k is KeyObject => k !== undefined);
  for (const byKeyId of Object.values(signatures)) {
    if (!isObject(byKeyId)) continue;
    for (const [keyId, encoded] of Object.entries(byKeyId)) {
      if (!keyId.startsWith("ed25519:") || typeof encoded !== "string") continue;
      const signature = decodeBase64Lenient(encoded);
      if (!signature || signature.length !== 64) continue;
      for (const key of keys) {
        try {
          if (verify(null, message, key, signature)) return true;
        } catch {
          // A malformed key or signature is just a non-match.
        }
      }
    }
  }
  return false;
}

/** Rule "membership is invite and content has third_party_invite" (5.4.1 / 4.4.1). */
export function checkThirdPartyInvite(event: IdentifiedPdu, authState: StateLookup): AuthResult {
  const target = event.state_key as string;
  if (membershipOf(authState, target) === "ban") return reject("third-party invite target is banned");
  const tpi = event.content["third_party_invite"];
  const signed = isObject(tpi) ? tpi["signed"] : undefined;
  if (!isObject(signed)) return reject("third_party_invite has no signed block");
  const mxid = signed["mxid"];
  const token = signed["token"];
  if (typeof mxid !== "string" || typeof token !== "string") return reject("third_party_invite.signed lacks mxid or token");
  if (mxid !== target) return reject("third_party_invite.signed.mxid does not match state_key");
  const inviteEvent = authState.get(THIRD_PARTY_INVITE, token);
  if (!inviteEvent) return reject("no m.room.third_party_invite for this token");
  if (inviteEvent.sender !== event.sender) return reject("sender differs from the m.room.third_party_invite sender");
  if (!signedBlockMatchesAnyKey(signed, thirdPartyInvitePublicKeys(inviteEvent.content))) {
    return reject("third_party_invite signature matches none of the invite's public keys");
  }
  return ALLOW;
}
