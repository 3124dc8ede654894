import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { searchUserDirectoryRoute } from "../../../schemas/client/user-directory/search-user-directory.js";

export function registerSearchUserDirectory(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, searchUserDirectoryRoute, async ({ body }, requester) => ctx.services.userDirectory.search(requester, body));
}
