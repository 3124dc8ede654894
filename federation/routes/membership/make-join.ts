import type { FastifyInstance } from "fastify";
import type { FederationApiServices } from "../../federation-api-services.js";
import { makeJoinQuery, type MakeJoinQuery, type MakeMembershipResponse } from "../../../schemas/federation/membership/make-join.js";
import { roomAndUserParams, type RoomAndUserParams } from "../../../schemas/federation/pdu.js";
import { requireFederationOrigin } from "../../auth/federation-auth.js";

/** GET /_matrix/federation/v1/make_join/{roomId}/{userId}?ver=: a join template, if the rules would let the user join. */
export function registerMakeJoin(app: FastifyInstance, { rooms }: Pick<FederationApiServices, "rooms">): void {
  app.get<{ Params: RoomAndUserParams; Querystring: MakeJoinQuery }>(
    "/_matrix/federation/v1/make_join/:roomId/:userId",
    { schema: { params: roomAndUserParams, querystring: makeJoinQuery } },
    async (request): Promise<MakeMembershipResponse> => {
      const origin = requireFederationOrigin(request);
      const { roomId, userId } = request.params;
      await rooms.acls.requireAllowed(origin, roomId);
      // The spec: a server that lists no versions supports only version 1.
      return rooms.membership.makeMembership(origin, roomId, userId, "join", request.query.ver ?? ["1"]);
    },
  );
}
