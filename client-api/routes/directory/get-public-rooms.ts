import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { accessTokenOf } from "../../http/auth.js";
import { getPublicRoomsQuery, type GetPublicRoomsQuery, type PublicRoomsResponse } from "../../../schemas/client/directory/get-public-rooms.js";

/**
 * The spec asks no access token here. One that is sent is still checked, as Synapse does, so a client
 * whose session has ended learns it (401) instead of silently browsing as a guest.
 */
export function registerGetPublicRooms(app: FastifyInstance, ctx: ClientApiContext): void {
  app.get("/_matrix/client/v3/publicRooms", { schema: { querystring: getPublicRoomsQuery } }, async (request): Promise<PublicRoomsResponse> => {
    const requester = accessTokenOf(request) === undefined ? undefined : await ctx.auth(request);
    ctx.rateLimit(requester?.userId ?? request.ip);
    const { limit, since, server } = request.query as GetPublicRoomsQuery;
    return ctx.app.rooms.directory.publicRooms({ limit, since }, server);
  });
}
