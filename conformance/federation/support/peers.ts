import type { MatrixClient } from "matrix-js-sdk";
import { inject } from "vitest";
import { createMatrixClientAt, type Credentials } from "../../support/matrix-client.js";
import { registerUserWith, type TestUser } from "../../support/register-user.js";
import { SyncFollower } from "../../support/sync-follower.js";
import { validatingFetchFor } from "../../support/validating-fetch.js";
import "../harness/provided-context.js";
import type { PairKind, PeerDescription, PeerId } from "../harness/provided-context.js";

export type { PeerDescription } from "../harness/provided-context.js";

/** Server "a" (Myelin) and server "b" (the peer under test). */
export function peers(): { a: PeerDescription; b: PeerDescription } {
  const all = inject("federationPeers");
  const find = (id: PeerId) => {
    const peer = all.find((p) => p.id === id);
    if (!peer) throw new Error(`the federation harness provided no server "${id}"`);
    return peer;
  };
  return { a: find("a"), b: find("b") };
}

export function pairKind(): PairKind {
  return inject("federationPairKind");
}

/**
 * The two ways round for a scenario: the room lives on `host`, and a user of `guest` comes to it. With two
 * Myelins both ways exercise the same code, so heavy scenarios may run one way only (`bothWaysFor`).
 */
export function directions(options: { heavy?: boolean } = {}): Array<{ host: PeerDescription; guest: PeerDescription; label: string }> {
  const { a, b } = peers();
  const all = [
    { host: a, guest: b, label: `room on ${a.kind} a, guest from ${b.kind} b` },
    { host: b, guest: a, label: `room on ${b.kind} b, guest from ${a.kind} a` },
  ];
  return options.heavy && b.kind === a.kind ? all.slice(0, 1) : all;
}

export function clientOn(peer: PeerDescription, credentials?: Credentials): MatrixClient {
  return createMatrixClientAt(peer.clientUrl, validatingFetchFor(peer.kind), credentials);
}

/** A user registered on `peer`, with a /sync follower already past its initial sync. */
export interface PeerUser extends TestUser {
  peer: PeerDescription;
  sync: SyncFollower;
}

export async function registerOn(peer: PeerDescription, label: string): Promise<PeerUser> {
  const user = await registerUserWith((credentials) => clientOn(peer, credentials), `${label}-${peer.id}`);
  const sync = new SyncFollower(user.client);
  await sync.sync(0);
  return { ...user, peer, sync };
}

/** Stops a server of the pair (SIGTERM, then waits for exit). */
export async function stopServer(peer: PeerDescription): Promise<void> {
  await control(peer, "stop");
}

/** Starts a stopped server of the pair on its data; resolves once its client and key endpoints answer. */
export async function startServer(peer: PeerDescription): Promise<void> {
  await control(peer, "start");
}

async function control(peer: PeerDescription, action: "stop" | "start" | "restart"): Promise<void> {
  const response = await fetch(`${inject("federationControlUrl")}/${peer.id}/${action}`, { method: "POST" });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    throw new Error(`${action} of ${peer.id} (${peer.kind}) failed: ${body.error ?? response.status}`);
  }
}
