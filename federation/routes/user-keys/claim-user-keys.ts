import type { FastifyInstance } from "fastify";
import type { FederationApiServices } from "../../federation-api-services.js";
import {
  federationClaimKeysBody,
  type FederationClaimKeysBody,
  type FederationClaimKeysResponse,
} from "../../../schemas/federation/user-keys/user-keys.js";

/** POST /_matrix/federation/v1/user/keys/claim: one-time (or fallback) keys of our users' devices; other servers' users are 400. */
export function registerClaimUserKeys(app: FastifyInstance, { e2eKeys }: Pick<FederationApiServices, "e2eKeys">): void {
  app.post<{ Body: FederationClaimKeysBody }>(
    "/_matrix/federation/v1/user/keys/claim",
    { schema: { body: federationClaimKeysBody } },
    async (request): Promise<FederationClaimKeysResponse> => ({ one_time_keys: await e2eKeys.claimLocal(request.body.one_time_keys) }),
  );
}
