import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import {
  registerBodySchema,
  registerQuerySchema,
  type RegisterQuery,
  type RegisterRequest,
  type RegisterResponse,
} from "../../../schemas/client/account/register.js";

export function registerRegister(app: FastifyInstance, ctx: ClientApiContext): void {
  app.post(
    "/_matrix/client/v3/register",
    { schema: { body: registerBodySchema, querystring: registerQuerySchema } },
    async (request): Promise<RegisterResponse> => {
      ctx.rateLimit(request.ip);
      const query = request.query as RegisterQuery;
      return ctx.app.users.accounts.register(request.body as RegisterRequest, { kind: query.kind ?? "user", ip: request.ip });
    },
  );
}
