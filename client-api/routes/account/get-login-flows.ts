import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getLoginFlowsRoute } from "../../../schemas/client/account/get-login-flows.js";
import { LOGIN_FLOWS } from "../../../homeserver/users/sessions.js";

export function registerGetLoginFlows(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getLoginFlowsRoute, async () => ({ flows: LOGIN_FLOWS.map((f) => ({ ...f })) }));
}
