import type { FastifyInstance } from "fastify";
import type { FederationApiServices } from "../../federation-api-services.js";
import type { ServerKeyResponse } from "../../../schemas/federation/keys/get-server-key.js";

/** GET /_matrix/key/v2/server, and the `/{keyId}` form removed in v1.6 that older servers still call. */
export function registerGetServerKey(app: FastifyInstance, { localKeys }: Pick<FederationApiServices, "localKeys">): void {
  const handler = async (): Promise<ServerKeyResponse> => localKeys.serverKeyResponse();
  app.get("/_matrix/key/v2/server", handler);
  app.get("/_matrix/key/v2/server/:keyId", handler);
}
