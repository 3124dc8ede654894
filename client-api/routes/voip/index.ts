import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getTurnServerRoute } from "../../../schemas/client/voip/get-turn-server.js";
import { turnCredentials } from "./turn-credentials.js";

export function registerVoipRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getTurnServerRoute, async (_request, requester) =>
    turnCredentials(ctx.services.turn, requester.userId, ctx.services.clock.now()),
  );
}
