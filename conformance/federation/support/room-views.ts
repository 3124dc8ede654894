import { Method, type MatrixClient } from "matrix-js-sdk";
import { roomHistory } from "../../support/room-history.js";
import type { ClientEvent } from "../../support/sync-types.js";
import type { PeerUser } from "./peers.js";
import { pollUntil } from "./poll.js";

/** Current state as `type|state_key -> event_id`, sorted: event IDs are hashes, so equal IDs mean equal events. */
export async function stateSummary(client: MatrixClient, roomId: string): Promise<string[]> {
  const state = (await client.roomState(roomId)) as unknown as ClientEvent[];
  return state.map((e) => `${e.type}|${e.state_key} -> ${e.event_id}`).sort();
}

export async function joinedMemberIds(client: MatrixClient, roomId: string): Promise<string[]> {
  const { joined } = await client.getJoinedRoomMembers(roomId);
  return Object.keys(joined).sort();
}

/** The m.room.message events of the room's whole history on this client's server, oldest first. */
export async function messageHistory(client: MatrixClient, roomId: string): Promise<ClientEvent[]> {
  return (await roomHistory(client, roomId)).filter((e) => e.type === "m.room.message");
}

/**
 * Waits until both servers report the same joined members (exactly `expectedMembers`) and the same current
 * state for the room; fails with the last difference seen.
 */
export async function expectSameRoomOnBothServers(
  first: PeerUser,
  second: PeerUser,
  roomId: string,
  expectedMembers: string[],
  deadlineMs = 90_000,
): Promise<string[]> {
  let last = "";
  return await pollUntil(
    async () => {
      const [membersA, membersB, stateA, stateB] = await Promise.all([
        joinedMemberIds(first.client, roomId),
        joinedMemberIds(second.client, roomId),
        stateSummary(first.client, roomId),
        stateSummary(second.client, roomId),
      ]);
      const wanted = [...expectedMembers].sort();
      const sameMembers = same(membersA, wanted) && same(membersB, wanted);
      const sameState = same(stateA, stateB);
      if (sameMembers && sameState) return stateA;
      last =
        `joined members on ${first.peer.id}: ${JSON.stringify(membersA)}, on ${second.peer.id}: ${JSON.stringify(membersB)}, ` +
        `expected ${JSON.stringify(wanted)}; current state ${sameState ? "equal" : `differs:\n${diff(first.peer.id, stateA, second.peer.id, stateB)}`}`;
      return undefined;
    },
    () => last,
    deadlineMs,
    1_000,
  );
}

export function diff(nameA: string, a: string[], nameB: string, b: string[]): string {
  const onlyA = a.filter((x) => !b.includes(x));
  const onlyB = b.filter((x) => !a.includes(x));
  return [...onlyA.map((x) => `  only on ${nameA}: ${x}`), ...onlyB.map((x) => `  only on ${nameB}: ${x}`)].join("\n");
}

function same(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Syncs `observer` until its timeline holds a membership event of `userId` with `membership`; returns it. */
export async function awaitMembership(
  observer: PeerUser,
  roomId: string,
  userId: string,
  membership: string,
  deadlineMs = 90_000,
): Promise<ClientEvent> {
  const find = () =>
    observer.sync
      .timeline(roomId)
      .filter((e) => e.type === "m.room.member" && e.state_key === userId)
      .at(-1);
  await observer.sync.syncUntil(
    () => find()?.content.membership === membership,
    () =>
      `${observer.userId} on ${observer.peer.id} (${observer.peer.kind}) never saw ${userId} with membership "${membership}" ` +
      `in ${roomId}; latest seen: ${JSON.stringify(find()?.content ?? null)}`,
    deadlineMs,
  );
  return find()!;
}

/** POST /join/{roomIdOrAlias} with exactly the given query (server_name or via), as a client may send it. */
export async function joinWithQuery(client: MatrixClient, roomIdOrAlias: string, query: Record<string, string | string[]>): Promise<string> {
  const path = `/join/${encodeURIComponent(roomIdOrAlias)}`;
  const response = await client.http.authedRequest<{ room_id: string }>(Method.Post, path, query, {});
  return response.room_id;
}
