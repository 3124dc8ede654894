import type { FastifyInstance } from "fastify";
import type { FederationApiServices } from "../../federation-api-services.js";
import type { MakeLeaveResponse } from "../../../schemas/federation/membership/make-leave.js";
import { roomAndUserParams, type RoomAndUserParams } from "../../../schemas/federation/pdu.js";
import { requireFederationOrigin } from "../../auth/federation-auth.js";

/** GET /_matrix/federation/v1/make_leave/{roomId}/{userId}: a leave template (also how remote invites are rejected). */
export function registerMakeLeave(app: FastifyInstance, { rooms }: Pick<FederationApiServices, "rooms">): void {
  app.get<{ Params: RoomAndUserParams }>(
    "/_matrix/federation/v1/make_leave/:roomId/:userId",
    { schema: { params: roomAndUserParams } },
    async (request): Promise<MakeLeaveResponse> => {
      const origin = requireFederationOrigin(request);
      const { roomId, userId } = request.params;
      await rooms.acls.requireAllowed(origin, roomId);
      return rooms.membership.makeMembership(origin, roomId, userId, "leave", []);
    },
  );
}
