import type { FastifyInstance } from "fastify";
import type { FederationApiServices } from "../../federation-api-services.js";
import {
  federationQueryKeysBody,
  type FederationQueryKeysBody,
  type FederationQueryKeysResponse,
} from "../../../schemas/federation/user-keys/user-keys.js";

/**
 * POST /_matrix/federation/v1/user/keys/query: the device keys of our users. A user of another server is
 * 400 (Synapse refuses such a query too). Device display names stay here, as Synapse keeps them by default.
 */
export function registerQueryUserKeys(app: FastifyInstance, { e2eKeys }: Pick<FederationApiServices, "e2eKeys">): void {
  app.post<{ Body: FederationQueryKeysBody }>(
    "/_matrix/federation/v1/user/keys/query",
    { schema: { body: federationQueryKeysBody } },
    async (request): Promise<FederationQueryKeysResponse> => ({
      device_keys: await e2eKeys.queryLocal(request.body.device_keys, { displayNames: false }),
    }),
  );
}
