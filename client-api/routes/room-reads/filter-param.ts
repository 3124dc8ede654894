import { checkRoomEventFilter, parseJsonParam, type RoomEventFilter } from "../../../homeserver/core/filters.js";

/** The `filter` query parameter of /messages and /context: a RoomEventFilter as JSON. */
export function roomEventFilterParam(text: string | undefined): RoomEventFilter | undefined {
  if (text === undefined || text === "") return undefined;
  return checkRoomEventFilter(parseJsonParam(text, "filter"));
}
