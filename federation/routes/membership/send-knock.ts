import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../../homeserver/app/app-context.js";
import type { SendKnockResponse } from "../../../schemas/federation/membership/send-knock.js";
import { membershipEventSchema, roomAndEventParams, type RoomAndEventParams } from "../../../schemas/federation/pdu.js";
import { requireFederationOrigin } from "../../auth/federation-auth.js";
import { federationRooms } from "../federation-rooms.js";

/** PUT /_matrix/federation/v1/send_knock/{roomId}/{eventId}: the signed knock; answers with the room state for the knocker. */
export function registerSendKnock(app: FastifyInstance, ctx: AppContext): void {
  app.put<{ Params: RoomAndEventParams; Body: Record<string, unknown> }>(
    "/_matrix/federation/v1/send_knock/:roomId/:eventId",
    { schema: { params: roomAndEventParams, body: membershipEventSchema } },
    async (request): Promise<SendKnockResponse> => {
      const origin = requireFederationOrigin(request);
      const { roomId, eventId } = request.params;
      const rooms = federationRooms(ctx);
      await rooms.acls.requireAllowed(origin, roomId);
      return rooms.knocks.sendKnock(origin, roomId, eventId, request.body);
    },
  );
}
