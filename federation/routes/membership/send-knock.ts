import type { FastifyInstance } from "fastify";
import type { FederationApiServices } from "../../federation-api-services.js";
import type { SendKnockResponse } from "../../../schemas/federation/membership/send-knock.js";
import { membershipEventSchema, roomAndEventParams, type RoomAndEventParams } from "../../../schemas/federation/pdu.js";
import { requireFederationOrigin } from "../../auth/federation-auth.js";

/** PUT /_matrix/federation/v1/send_knock/{roomId}/{eventId}: the signed knock; answers with the room state for the knocker. */
export function registerSendKnock(app: FastifyInstance, { rooms }: Pick<FederationApiServices, "rooms">): void {
  app.put<{ Params: RoomAndEventParams; Body: Record<string, unknown> }>(
    "/_matrix/federation/v1/send_knock/:roomId/:eventId",
    { schema: { params: roomAndEventParams, body: membershipEventSchema } },
    async (request): Promise<SendKnockResponse> => {
      const origin = requireFederationOrigin(request);
      const { roomId, eventId } = request.params;
      await rooms.acls.requireAllowed(origin, roomId);
      return rooms.knocks.sendKnock(origin, roomId, eventId, request.body);
    },
  );
}
