import type { CoreContext } from "../core/core-context.js";
import type { UserServices } from "../users/index.js";
import type { Stores } from "../storage/stores/stores.js";
import { EventPersister } from "./persist/event-persister.js";
import { RoomService } from "./room-service.js";
import { DirectoryService } from "./directory-service.js";
import { PushEvaluator } from "./push/push-evaluator.js";
import { RulesetCache } from "./push/ruleset-cache.js";
import { threadLookup } from "./push/thread-lookup.js";
import { RoomUpgrader } from "./upgrade/room-upgrader.js";
import { SpaceHierarchy } from "./hierarchy/space-hierarchy.js";
import { GuestEviction } from "./guest-eviction.js";

export interface RoomServices {
  /** The persist pipeline: local sends, new rooms, and the write remote events take. */
  persister: EventPersister;
  /** Create, send, state, membership and the plain reads. */
  service: RoomService;
  /** Room aliases, directory visibility and the public room list. */
  directory: DirectoryService;
  onProfileChanged(userId: string, profile: { displayname: string | null; avatar_url: string | null }): Promise<void>;
  leaveAllRooms(userId: string): Promise<void>;
  /** The rooms a user is joined to, from current state (one indexed query). */
  joinedRoomIds(userId: string): Promise<string[]>;
  /** POST /rooms/{roomId}/upgrade. */
  upgrades: RoomUpgrader;
  /** GET /hierarchy, for clients and for other servers. */
  hierarchy: SpaceHierarchy;
}

export function createRoomServices(core: CoreContext, users: UserServices, stores: Stores): RoomServices {
  const push = core.config.push.enabled
    ? new PushEvaluator({
        serverName: core.serverName,
        // null: the member has no push rules of their own (the evaluator shares one evaluation among them).
        rules: new RulesetCache(stores.accountData, (userId, stored) => (stored === undefined ? null : users.pushRules.contentFromStored(userId, stored).global), core.notifier),
        defaultRuleset: (userId) => users.pushRules.contentFromStored(userId, undefined).global,
        threads: threadLookup(stores.events),
        ignored: users.ignored,
      })
    : undefined;
  const guestEviction = new GuestEviction(core.serverName, stores.users, core.logger);
  const persister = new EventPersister(core, stores, { pushActions: push?.rowsFor, afterPersist: [guestEviction] });
  const service = new RoomService(core, persister, stores, users);
  guestEviction.useRooms({ roomMemory: (roomId) => persister.roomMemory(roomId), leave: (requester, roomId) => service.membership(requester, roomId, "leave", requester.userId) });
  return {
    persister,
    service,
    directory: new DirectoryService(core, persister, stores, service),
    onProfileChanged: (userId, profile) => service.propagateProfile(userId, profile),
    leaveAllRooms: (userId) => service.leaveAllRooms(userId),
    joinedRoomIds: async (userId) => (await stores.rooms.roomsForUser(userId, ["join"])).map((r) => r.roomId),
    upgrades: new RoomUpgrader(core, persister, stores, service),
    hierarchy: new SpaceHierarchy({ serverName: core.serverName, clock: core.clock, logger: core.logger, roomMemory: (roomId) => persister.roomMemory(roomId) }),
  };
}
