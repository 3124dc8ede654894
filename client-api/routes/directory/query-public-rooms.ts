import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import type { PublicRoomsResponse } from "../../../schemas/client/directory/get-public-rooms.js";
import {
  queryPublicRoomsBody,
  queryPublicRoomsQuery,
  type QueryPublicRoomsRequest,
} from "../../../schemas/client/directory/query-public-rooms.js";

/** Application-service networks do not exist here, so include_all_networks and third_party_instance_id change nothing. */
export function registerQueryPublicRooms(app: FastifyInstance, ctx: ClientApiContext): void {
  app.post(
    "/_matrix/client/v3/publicRooms",
    { schema: { querystring: queryPublicRoomsQuery, body: queryPublicRoomsBody } },
    async (request): Promise<PublicRoomsResponse> => {
      const requester = await ctx.auth(request);
      ctx.rateLimit(requester.userId);
      const { server } = request.query as { server?: string };
      const { limit, since, filter } = (request.body as QueryPublicRoomsRequest | undefined) ?? {};
      return ctx.app.rooms.directory.publicRooms({ limit, since, filter }, server);
    },
  );
}
