import { errors } from "../../../homeserver/errors.js";
import type { Requester } from "../../../homeserver/users/requester.js";

/** Account data is private: a user may only read and write their own. */
export function requireOwnUser(requester: Requester, userId: string): void {
  if (requester.userId !== userId) throw errors.forbidden("Cannot access another user's account data");
}

/** The spec's M_INVALID_PARAM for something that is not a room id (v12 room ids have no server part). */
export function requireRoomId(roomId: string): void {
  if (!/^![^\s]+$/.test(roomId) || roomId.length > 255) throw errors.invalidParam(`Invalid room ID ${roomId}`);
}
