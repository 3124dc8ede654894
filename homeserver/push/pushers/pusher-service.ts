import type { Database } from "../../storage/database.js";
import type { PushersStore, PusherRow } from "../../storage/stores/pushers-store.js";
import type { Requester } from "../../users/requester.js";
import { parsePusherRequest } from "./pusher-request.js";
import type { PusherJson } from "../../../schemas/client/pushers/pusher-routes.js";

/** What the service tells the loop: a pusher was set (start or look again), or went away. */
export interface PusherChanges {
  pusherSet(userId: string): void;
}

export interface PusherServiceDeps {
  database: Pick<Database, "transaction" | "onCommit">;
  store: Pick<PushersStore, "forUser" | "upsert" | "delete" | "deleteOfOtherUsers">;
  clock: { now(): number };
  /** The events stream's published position: a new pusher sends what comes after it. */
  eventsPosition: () => number;
  changes: PusherChanges;
}

/** GET /pushers and POST /pushers/set. */
export class PusherService {
  constructor(private readonly deps: PusherServiceDeps) {}

  async list(userId: string): Promise<{ pushers: PusherJson[] }> {
    return { pushers: (await this.deps.store.forUser(userId)).map(toJson) };
  }

  async set(requester: Requester, body: Record<string, unknown>): Promise<Record<string, never>> {
    const request = parsePusherRequest(body);
    const { database, store } = this.deps;
    if (request.delete) {
      // Deleting one that does not exist is not an error (Synapse answers 200 too).
      await store.delete(requester.userId, request.appId, request.pushkey);
      return {};
    }
    await database.transaction(async (tx) => {
      if (!request.append) await store.deleteOfOtherUsers(tx, request.appId, request.pushkey, requester.userId);
      await store.upsert(tx, {
        userId: requester.userId,
        deviceId: requester.deviceId,
        kind: request.kind,
        appId: request.appId,
        pushkey: request.pushkey,
        appDisplayName: request.appDisplayName,
        deviceDisplayName: request.deviceDisplayName,
        profileTag: request.profileTag,
        lang: request.lang,
        data: request.data,
        pushkeyTs: this.deps.clock.now(),
        lastStreamPos: this.deps.eventsPosition(),
      });
      database.onCommit(tx, () => this.deps.changes.pusherSet(requester.userId));
    });
    return {};
  }
}

function toJson(row: PusherRow): PusherJson {
  return {
    pushkey: row.pushkey,
    kind: row.kind,
    app_id: row.appId,
    app_display_name: row.appDisplayName,
    device_display_name: row.deviceDisplayName,
    ...(row.profileTag === null ? {} : { profile_tag: row.profileTag }),
    lang: row.lang,
    data: row.data,
  };
}
