import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import type { GetLoginFlowsResponse } from "../../../schemas/client/account/get-login-flows.js";
import { LOGIN_FLOWS } from "../../../homeserver/users/sessions.js";

export function registerGetLoginFlows(app: FastifyInstance, _ctx: ClientApiContext): void {
  app.get("/_matrix/client/v3/login", async (): Promise<GetLoginFlowsResponse> => ({ flows: LOGIN_FLOWS.map((f) => ({ ...f })) }));
}
