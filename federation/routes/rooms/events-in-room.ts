import { isMatrixError } from "../../../homeserver/errors.js";
import type { FederationRooms } from "../../../homeserver/rooms/remote/index.js";

/**
 * Those of `eventIds` that are events of `roomId`. The backfill and missing-events walks start from ids the
 * peer names; without this a server in one room could read another room's events by naming them.
 */
export async function eventIdsInRoom(rooms: Pick<FederationRooms, "reads">, origin: string, roomId: string, eventIds: string[]): Promise<string[]> {
  const found = await Promise.all(
    [...new Set(eventIds)].map(async (id) => {
      try {
        return (await rooms.reads.event(origin, id)).roomId === roomId ? id : undefined;
      } catch (error) {
        if (isMatrixError(error) && (error.status === 404 || error.status === 403)) return undefined;
        throw error;
      }
    }),
  );
  return found.filter((id): id is string => id !== undefined);
}

/** Keeps PDUs that name `roomId` (a v12 m.room.create names none: its id is the room's). */
export function pdusOfRoom(pdus: Record<string, unknown>[], roomId: string): Record<string, unknown>[] {
  return pdus.filter((pdu) => pdu.room_id === roomId || (pdu.room_id === undefined && pdu.type === "m.room.create"));
}
