import type { FastifyInstance } from "fastify";
import type { FederationApiServices } from "../../federation-api-services.js";
import { errors } from "../../../homeserver/errors.js";
import { queryDirectoryQuery, type QueryDirectoryQuery, type QueryDirectoryResponse } from "../../../schemas/federation/query/query-directory.js";

/** GET /_matrix/federation/v1/query/directory?room_alias=: the room one of our aliases names, and servers to join through. */
export function registerQueryDirectory(app: FastifyInstance, { serverName, directory }: Pick<FederationApiServices, "serverName" | "directory">): void {
  app.get<{ Querystring: QueryDirectoryQuery }>(
    "/_matrix/federation/v1/query/directory",
    { schema: { querystring: queryDirectoryQuery } },
    async (request): Promise<QueryDirectoryResponse> => {
      const alias = request.query.room_alias;
      // Only an alias's own server answers for it; we never ask onwards on a peer's behalf.
      if (alias.startsWith("#") && alias.slice(alias.indexOf(":") + 1) !== serverName) throw errors.notFound(`Room alias ${alias} is not on this server`);
      return directory.resolveAlias(alias);
    },
  );
}
