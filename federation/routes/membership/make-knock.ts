import type { FastifyInstance } from "fastify";
import type { FederationApiServices } from "../../federation-api-services.js";
import { makeKnockQuery, type MakeKnockQuery, type MakeKnockResponse } from "../../../schemas/federation/membership/make-knock.js";
import { roomAndUserParams, type RoomAndUserParams } from "../../../schemas/federation/pdu.js";
import { requireFederationOrigin } from "../../auth/federation-auth.js";

/** GET /_matrix/federation/v1/make_knock/{roomId}/{userId}?ver=: a knock template, in room versions that have knocking. */
export function registerMakeKnock(app: FastifyInstance, { rooms }: Pick<FederationApiServices, "rooms">): void {
  app.get<{ Params: RoomAndUserParams; Querystring: MakeKnockQuery }>(
    "/_matrix/federation/v1/make_knock/:roomId/:userId",
    { schema: { params: roomAndUserParams, querystring: makeKnockQuery } },
    async (request): Promise<MakeKnockResponse> => {
      const origin = requireFederationOrigin(request);
      const { roomId, userId } = request.params;
      await rooms.acls.requireAllowed(origin, roomId);
      return rooms.knocks.makeKnock(origin, roomId, userId, request.query.ver);
    },
  );
}
