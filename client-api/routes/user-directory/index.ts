import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { registerSearchUserDirectory } from "./search-user-directory.js";

export function registerUserDirectoryRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  registerSearchUserDirectory(app, ctx);
}
