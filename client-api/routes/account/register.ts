import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { registerRoute } from "../../../schemas/client/account/register.js";

export function registerRegister(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, registerRoute, async ({ query, body, ip }) =>
    ctx.services.accounts.register(body, { kind: query.kind ?? "user", ip }),
  );
}
