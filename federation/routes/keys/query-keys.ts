import type { FastifyInstance } from "fastify";
import type { FederationApiServices } from "../../federation-api-services.js";
import { errors } from "../../../homeserver/errors.js";
import {
  keyQueryByServerQuerystringSchema,
  keyQueryRequestSchema,
  type KeyQueryRequest,
  type KeyQueryResponse,
} from "../../../schemas/federation/keys/query-keys.js";
import { isQueryableKeyId, isQueryableServerName } from "../../keys/key-names.js";

/** A name in the path that cannot be a server is refused before anything is looked up or fetched. */
function requireServerName(name: string): string {
  if (!isQueryableServerName(name)) throw errors.invalidParam("serverName is not a valid server name");
  return name;
}

/**
 * The notary API: POST /_matrix/key/v2/query and GET /_matrix/key/v2/query/{serverName}, plus the
 * `/{keyId}` GET form that v1.6 removed. Unauthenticated, as the spec has it: anyone may ask.
 */
export function registerQueryKeys(app: FastifyInstance, { notary }: Pick<FederationApiServices, "notary">): void {
  app.post<{ Body: KeyQueryRequest }>("/_matrix/key/v2/query", { schema: { body: keyQueryRequestSchema } }, async (request): Promise<KeyQueryResponse> => ({
    server_keys: await notary.query(request.body.server_keys),
  }));

  app.get<{ Params: { serverName: string }; Querystring: { minimum_valid_until_ts?: number } }>(
    "/_matrix/key/v2/query/:serverName",
    { schema: { querystring: keyQueryByServerQuerystringSchema } },
    async (request): Promise<KeyQueryResponse> => ({
      // No key ids means all keys; an absent minimum means "now" (the notary's default).
      server_keys: await notary.query({ [requireServerName(request.params.serverName)]: {} }, request.query.minimum_valid_until_ts),
    }),
  );

  app.get<{ Params: { serverName: string; keyId: string }; Querystring: { minimum_valid_until_ts?: number } }>(
    "/_matrix/key/v2/query/:serverName/:keyId",
    { schema: { querystring: keyQueryByServerQuerystringSchema } },
    async (request): Promise<KeyQueryResponse> => {
      const serverName = requireServerName(request.params.serverName);
      if (!isQueryableKeyId(request.params.keyId)) throw errors.invalidParam("keyId is not a valid key id");
      return {
        server_keys: await notary.query({
          [serverName]: { [request.params.keyId]: { minimum_valid_until_ts: request.query.minimum_valid_until_ts } },
        }),
      };
    },
  );
}
