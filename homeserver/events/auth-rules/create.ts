/** Rule 1: the m.room.create event, which is authorised by itself alone. */
import type { IdentifiedPdu } from "../pdu.js";
import { getRoomVersion, type RoomVersion } from "../room-versions.js";
import { ALLOW, has, isValidUserId, reject, serverNameOf, type AuthResult } from "./common.js";

export function checkCreateEvent(event: IdentifiedPdu, version: RoomVersion): AuthResult {
  if (!Array.isArray(event.prev_events) || event.prev_events.length > 0) {
    return reject("m.room.create must not have prev_events");
  }
  if (version.roomIdFromCreateEvent) {
    // The room id is derived from this event's hash, so it cannot also be inside it.
    if (has(event, "room_id") && event.room_id !== undefined) return reject("m.room.create must not have a room_id");
  } else {
    const roomServer = typeof event.room_id === "string" ? serverNameOf(event.room_id) : undefined;
    if (roomServer === undefined || roomServer !== serverNameOf(event.sender)) {
      return reject("m.room.create room_id domain does not match the sender's");
    }
  }
  // An absent room_version means "1"; anything else must be a version we implement.
  const declared = has(event.content, "room_version") ? event.content["room_version"] : "1";
  if (typeof declared !== "string" || getRoomVersion(declared) === undefined) {
    return reject(`m.room.create declares unknown room version ${JSON.stringify(declared)}`);
  }
  if (declared !== version.id) {
    // The caller picks the rules from this very field; a mismatch is a caller bug, not a room.
    return reject(`m.room.create declares room version ${declared} but is checked as ${version.id}`);
  }
  if (version.createEventHasCreator && !has(event.content, "creator")) {
    return reject("m.room.create content has no creator");
  }
  if (version.creatorsHavePrivilege && has(event.content, "additional_creators")) {
    const additional = event.content["additional_creators"];
    if (!Array.isArray(additional) || !additional.every(isValidUserId)) {
      return reject("additional_creators must be an array of valid user ids");
    }
  }
  return ALLOW;
}
