import type { Clock } from "../../core/clock.js";
import type { Logger } from "../../core/logger.js";
import { errors } from "../../errors.js";
import { checkRoomIdOrAlias } from "../../server-name.js";
import type { Requester } from "../../users/requester.js";
import type { HierarchyRoomSummary, SpaceHierarchyRoom } from "../../../schemas/client/spaces/space-hierarchy-room.js";
import type { SpaceHierarchyResponse } from "../../../schemas/client/spaces/get-space-hierarchy.js";
import type { FederationHierarchyResponse } from "../../../schemas/federation/hierarchy/get-hierarchy.js";
import type { RoomMemory } from "../persist/room-memory.js";
import { remoteRoomVisibleToUser, visibleToServer, visibleToUser } from "./hierarchy-access.js";
import { HierarchySessions, type HierarchySession, type QueuedRoom } from "./hierarchy-sessions.js";
import type { RemoteHierarchy } from "./remote-hierarchy.js";
import { RemoteSpaces } from "./remote-spaces.js";
import { roomSummary, roomWithChildren, SPACE_ROOM_TYPE } from "./room-entry.js";
import { viaOf } from "./space-children.js";

/** Synapse's bounds: 50 rooms a page, 50 children of one space over federation. */
const MAX_ROOMS_PER_PAGE = 50;
const MAX_CHILDREN_PER_SPACE = 50;
/** The spec asks for a default and a maximum depth; loops are broken by never visiting a room twice. */
const MAX_DEPTH = 50;

export interface HierarchyRequest {
  suggestedOnly: boolean;
  limit?: number;
  maxDepth?: number;
  from?: string;
}

export interface SpaceHierarchyDeps {
  serverName: string;
  clock: Clock;
  logger: Pick<Logger, "info">;
  /** The persister's view of the rooms we hold. */
  roomMemory(roomId: string): Promise<RoomMemory | undefined>;
}

/** A room visited in the walk: its entry for the client, and what its server told us of its children. */
interface Visited {
  entry: SpaceHierarchyRoom;
  remoteChildren: Map<string, HierarchyRoomSummary>;
  inaccessible: Set<string>;
}

/**
 * GET /hierarchy for our clients (a depth-first walk over m.space.child links, paginated, with children we
 * do not hold asked of their servers) and for other servers (one space and the children we hold).
 */
export class SpaceHierarchy {
  private readonly sessions: HierarchySessions;
  private readonly remote: RemoteSpaces;

  constructor(private readonly deps: SpaceHierarchyDeps) {
    this.sessions = new HierarchySessions(deps.clock);
    this.remote = new RemoteSpaces(deps.serverName, deps.clock, deps.logger);
  }

  /** Set once federation is composed. */
  useRemote(remote: RemoteHierarchy): void {
    this.remote.use(remote);
  }

  async forClient(requester: Requester, rootId: string, request: HierarchyRequest): Promise<SpaceHierarchyResponse> {
    if (!rootId.startsWith("!")) throw errors.invalidParam("Expected a room id");
    checkRoomIdOrAlias(rootId);
    const userId = requester.userId;
    const root = await this.heldRoom(rootId);
    // A room none of our users is in is not one we can vouch for; Synapse refuses it too without a via.
    if (!root || !(await visibleToUser(root, userId, this.isJoined))) {
      throw errors.forbidden(`You may not see the hierarchy of ${rootId}: you are not in it and it cannot be previewed`);
    }
    const session = request.from === undefined ? undefined : this.resume(request.from, userId, rootId, request);
    const queue: QueuedRoom[] = session ? [...session.queue] : [{ roomId: rootId, via: [], depth: 0 }];
    const processed = new Set(session?.processed ?? []);
    const limit = Math.min(request.limit ?? MAX_ROOMS_PER_PAGE, MAX_ROOMS_PER_PAGE);
    const maxDepth = Math.min(request.maxDepth ?? MAX_DEPTH, MAX_DEPTH);

    const rooms: SpaceHierarchyRoom[] = [];
    while (queue.length > 0 && rooms.length < limit) {
      const next = queue.pop()!;
      if (processed.has(next.roomId)) continue;
      processed.add(next.roomId);
      const visited = await this.visit(next, userId, request.suggestedOnly, maxDepth);
      if (!visited) continue;
      rooms.push(visited.entry);
      if (next.depth >= maxDepth) continue;
      // Pushed in reverse so that the first child in the spec's order is visited next.
      for (const child of [...visited.entry.children_state].reverse()) {
        if (visited.inaccessible.has(child.state_key)) continue;
        queue.push({ roomId: child.state_key, via: viaOf(child.content) ?? [], depth: next.depth + 1, remote: visited.remoteChildren.get(child.state_key) });
      }
    }

    const response: SpaceHierarchyResponse = { rooms };
    if (queue.length > 0) {
      response.next_batch = this.sessions.save({ userId, rootId, suggestedOnly: request.suggestedOnly, maxDepth: request.maxDepth, queue, processed });
    }
    return response;
  }

  /** GET /_matrix/federation/v1/hierarchy: 404 unless we hold the room and some user of `origin` could see it. */
  async forServer(origin: string, roomId: string, suggestedOnly: boolean): Promise<FederationHierarchyResponse> {
    const memory = await this.heldRoom(roomId);
    if (!memory || !(await visibleToServer(memory, origin, this.hasServerJoined))) throw errors.notFound(`Unknown room ${roomId}`);
    const room = roomWithChildren(memory, true, suggestedOnly);
    const children: HierarchyRoomSummary[] = [];
    const inaccessible: string[] = [];
    for (const child of room.children_state.slice(0, MAX_CHILDREN_PER_SPACE)) {
      const childMemory = await this.heldRoom(child.state_key);
      // A room we do not hold is left out: the asking server may know better where to ask.
      if (!childMemory) continue;
      if (await visibleToServer(childMemory, origin, this.hasServerJoined)) children.push(roomSummary(childMemory, true));
      else inaccessible.push(child.state_key);
    }
    return { room, children, inaccessible_children: inaccessible };
  }

  private resume(token: string, userId: string, rootId: string, request: HierarchyRequest): HierarchySession {
    const session = this.sessions.find(token);
    if (!session || session.userId !== userId || session.rootId !== rootId) throw errors.invalidParam("Unknown pagination token");
    if (session.suggestedOnly !== request.suggestedOnly || session.maxDepth !== request.maxDepth) {
      throw errors.invalidParam("suggested_only and max_depth cannot change on paginated requests");
    }
    return session;
  }

  /** One room of the walk, from our copy when we hold it, else from its servers; undefined when the user may not see it. */
  private async visit(queued: QueuedRoom, userId: string, suggestedOnly: boolean, maxDepth: number): Promise<Visited | undefined> {
    const held = await this.heldRoom(queued.roomId);
    if (held) {
      if (!(await visibleToUser(held, userId, this.isJoined))) return undefined;
      return { entry: roomWithChildren(held, false, suggestedOnly), remoteChildren: new Map(), inaccessible: new Set() };
    }
    let visited: Visited | undefined;
    // The parent's server already summarised this child; it is enough unless we need the child's own children.
    if (queued.remote && (queued.remote.room_type !== SPACE_ROOM_TYPE || queued.depth >= maxDepth)) {
      visited = { entry: { ...queued.remote, children_state: [] }, remoteChildren: new Map(), inaccessible: new Set() };
    } else {
      const space = await this.remote.fetch(queued.roomId, queued.via, suggestedOnly);
      if (space) visited = { entry: space.room, remoteChildren: space.children, inaccessible: space.inaccessible };
    }
    if (!visited) return undefined;
    const stale = await this.deps.roomMemory(queued.roomId);
    if (!(await remoteRoomVisibleToUser(visited.entry, userId, this.isJoined, stale?.membershipOf(userId)))) return undefined;
    // The allowed rooms are for the servers' filtering, not for clients.
    const { allowed_room_ids: _allowed, ...entry } = visited.entry;
    return { ...visited, entry };
  }

  /** A room we hold with one of our users joined: a copy with none may be stale, so its servers are asked. */
  private async heldRoom(roomId: string): Promise<RoomMemory | undefined> {
    const memory = await this.deps.roomMemory(roomId);
    return memory && memory.joinedMembersOf(this.deps.serverName).length > 0 ? memory : undefined;
  }

  private readonly isJoined = async (roomId: string, userId: string): Promise<boolean> =>
    (await this.deps.roomMemory(roomId))?.membershipOf(userId) === "join";

  private readonly hasServerJoined = async (roomId: string, server: string): Promise<boolean> =>
    (await this.deps.roomMemory(roomId))?.joinedServers().has(server) ?? false;
}
