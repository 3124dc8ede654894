import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { refreshRoute } from "../../../schemas/client/account/refresh.js";

export function registerRefresh(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, refreshRoute, async ({ body }) => ctx.services.sessions.refresh(body.refresh_token));
}
