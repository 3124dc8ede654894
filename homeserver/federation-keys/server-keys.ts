import type { RoomVersion } from "../events/room-versions.js";

/**
 * What the core needs to check other servers' signatures (inbound PDUs, EDUs, invites). federation/
 * implements it with the keyring that fetches keys over the network; app/ wires it in.
 */
export interface ServerKeys {
  /**
   * The public key `keyId` of `serverName`, if it is known (or can be fetched) and may be used until at least
   * `minimumValidUntilTs`. Pass 0 when validity does not matter (room versions without key validity).
   */
  getVerifyKey(serverName: string, keyId: string, minimumValidUntilTs: number): Promise<Uint8Array | undefined>;
  /**
   * True when `object` carries at least one ed25519 signature by `serverName` from a key valid until
   * `minimumValidUntilTs`, and every such signature verifies.
   */
  verifySignedJson(object: Record<string, unknown>, serverName: string, minimumValidUntilTs: number): Promise<boolean>;
}

/**
 * The time a signing key must still be valid at to verify an event: its origin_server_ts in room versions
 * that enforce key validity (5 and later), otherwise any time at all.
 */
export function keyValidityTimeFor(roomVersion: Pick<RoomVersion, "enforceKeyValidity">, originServerTs: number): number {
  return roomVersion.enforceKeyValidity ? originServerTs : 0;
}
