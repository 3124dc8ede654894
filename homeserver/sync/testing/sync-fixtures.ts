import type { TestApp } from "../../app/test-app.js";
import type { CreateRoomRequest } from "../../rooms/create-room.js";
import type { Requester } from "../../users/requester.js";
import type { SyncOptions } from "../sync-service.js";
import type { SyncResponse, SyncEventJson } from "../../../schemas/client/sync/get-sync.js";

export { newUser } from "../../users/testing/requesters.js";

let counter = 0;

export class SyncHarness {
  constructor(readonly app: TestApp) {}

  get ctx() {
    return this.app.ctx;
  }

  createRoom(creator: Requester, request: CreateRoomRequest = {}): Promise<string> {
    return this.ctx.rooms.service.createRoom(creator, { preset: "public_chat", ...request });
  }

  async send(user: Requester, roomId: string, body: string, txnId = `txn-${++counter}`): Promise<string> {
    return this.ctx.rooms.service.sendMessage(user, roomId, "m.room.message", { msgtype: "m.text", body }, txnId);
  }

  setVisibility(user: Requester, roomId: string, visibility: string): Promise<string> {
    return this.ctx.rooms.service.sendState(user, roomId, "m.room.history_visibility", "", { history_visibility: visibility });
  }

  sync(user: Requester, options: SyncOptions = {}): Promise<SyncResponse> {
    return this.ctx.sync.sync(user, options);
  }
}

/** Timeline event ids of a room in a sync response (joined or left). */
export function timelineIds(response: SyncResponse, roomId: string): string[] {
  const room = response.rooms?.join?.[roomId] ?? response.rooms?.leave?.[roomId];
  return (room?.timeline.events ?? []).map((e) => e.event_id!);
}

export function bodies(events: SyncEventJson[] | Array<{ content?: Record<string, unknown> }>): unknown[] {
  return events.map((e) => e.content?.body).filter((b) => b !== undefined);
}

export function inlineFilter(filter: Record<string, unknown>): string {
  return JSON.stringify(filter);
}
