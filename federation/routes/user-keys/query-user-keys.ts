import type { FastifyInstance } from "fastify";
import type { FederationApiServices } from "../../federation-api-services.js";
import {
  federationQueryKeysBody,
  type FederationQueryKeysBody,
  type FederationQueryKeysResponse,
} from "../../../schemas/federation/user-keys/user-keys.js";
import type { CrossSigningKeysByUser } from "../../../schemas/client/e2e-keys/cross-signing-key.js";

/** The spec's answer: device keys, and the users' master and self-signing keys (never a user-signing key). */
type QueryUserKeysAnswer = FederationQueryKeysResponse & { master_keys?: CrossSigningKeysByUser; self_signing_keys?: CrossSigningKeysByUser };

/**
 * POST /_matrix/federation/v1/user/keys/query: the device keys of our users. A user of another server is
 * 400 (Synapse refuses such a query too). Device display names stay here, as Synapse keeps them by default.
 * Cross-signing keys come as uploaded, without the signatures other users made of them (those are theirs).
 */
export function registerQueryUserKeys(app: FastifyInstance, { e2eKeys, crossSigning }: Pick<FederationApiServices, "e2eKeys" | "crossSigning">): void {
  app.post<{ Body: FederationQueryKeysBody }>(
    "/_matrix/federation/v1/user/keys/query",
    { schema: { body: federationQueryKeysBody } },
    async (request): Promise<QueryUserKeysAnswer> => {
      const deviceKeys = await e2eKeys.queryLocal(request.body.device_keys, { displayNames: false });
      const { master_keys, self_signing_keys } = await crossSigning.keysOf(Object.keys(request.body.device_keys), undefined);
      // Each left out when empty, as the spec allows, so an answer without cross-signing keys is as before.
      return {
        device_keys: deviceKeys,
        ...(Object.keys(master_keys).length > 0 ? { master_keys } : {}),
        ...(Object.keys(self_signing_keys).length > 0 ? { self_signing_keys } : {}),
      };
    },
  );
}
