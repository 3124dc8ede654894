import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../../homeserver/app/app-context.js";
import { makeJoinQuery, type MakeJoinQuery, type MakeMembershipResponse } from "../../../schemas/federation/membership/make-join.js";
import { roomAndUserParams, type RoomAndUserParams } from "../../../schemas/federation/pdu.js";
import { requireFederationOrigin } from "../../auth/federation-auth.js";
import { federationRooms } from "../federation-rooms.js";

/** GET /_matrix/federation/v1/make_join/{roomId}/{userId}?ver=: a join template, if the rules would let the user join. */
export function registerMakeJoin(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Params: RoomAndUserParams; Querystring: MakeJoinQuery }>(
    "/_matrix/federation/v1/make_join/:roomId/:userId",
    { schema: { params: roomAndUserParams, querystring: makeJoinQuery } },
    async (request): Promise<MakeMembershipResponse> => {
      const origin = requireFederationOrigin(request);
      const { roomId, userId } = request.params;
      const rooms = federationRooms(ctx);
      await rooms.acls.requireAllowed(origin, roomId);
      // The spec: a server that lists no versions supports only version 1.
      return rooms.membership.makeMembership(origin, roomId, userId, "join", request.query.ver ?? ["1"]);
    },
  );
}
