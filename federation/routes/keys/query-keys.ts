import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../../homeserver/app/app-context.js";
import {
  keyQueryByServerQuerystringSchema,
  keyQueryRequestSchema,
  type KeyQueryRequest,
  type KeyQueryResponse,
} from "../../../schemas/federation/keys/query-keys.js";

/**
 * The notary API: POST /_matrix/key/v2/query and GET /_matrix/key/v2/query/{serverName}, plus the
 * `/{keyId}` GET form that v1.6 removed. Unauthenticated, as the spec has it: anyone may ask.
 */
export function registerQueryKeys(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Body: KeyQueryRequest }>("/_matrix/key/v2/query", { schema: { body: keyQueryRequestSchema } }, async (request): Promise<KeyQueryResponse> => ({
    server_keys: await ctx.federation.notary.query(request.body.server_keys),
  }));

  app.get<{ Params: { serverName: string }; Querystring: { minimum_valid_until_ts?: number } }>(
    "/_matrix/key/v2/query/:serverName",
    { schema: { querystring: keyQueryByServerQuerystringSchema } },
    async (request): Promise<KeyQueryResponse> => ({
      // No key ids means all keys; an absent minimum means "now" (the notary's default).
      server_keys: await ctx.federation.notary.query({ [request.params.serverName]: {} }, request.query.minimum_valid_until_ts),
    }),
  );

  app.get<{ Params: { serverName: string; keyId: string }; Querystring: { minimum_valid_until_ts?: number } }>(
    "/_matrix/key/v2/query/:serverName/:keyId",
    { schema: { querystring: keyQueryByServerQuerystringSchema } },
    async (request): Promise<KeyQueryResponse> => ({
      server_keys: await ctx.federation.notary.query({
        [request.params.serverName]: { [request.params.keyId]: { minimum_valid_until_ts: request.query.minimum_valid_until_ts } },
      }),
    }),
  );
}
