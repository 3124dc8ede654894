import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { localAliasesParams, type GetLocalAliasesResponse } from "../../../schemas/client/directory/get-local-aliases.js";

export function registerGetLocalAliases(app: FastifyInstance, ctx: ClientApiContext): void {
  app.get(
    "/_matrix/client/v3/rooms/:roomId/aliases",
    { schema: { params: localAliasesParams } },
    async (request): Promise<GetLocalAliasesResponse> => {
      const requester = await ctx.auth(request);
      ctx.rateLimit(requester.userId);
      const { roomId } = request.params as { roomId: string };
      return { aliases: await ctx.app.rooms.directory.localAliases(requester, roomId) };
    },
  );
}
