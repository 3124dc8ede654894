import type { FastifyInstance } from "fastify";
import type { FederationApiServices } from "../../federation-api-services.js";
import { errors } from "../../../homeserver/errors.js";
import { openIdUserInfoQuery, type OpenIdUserInfoQuery, type OpenIdUserInfoResponse } from "../../../schemas/federation/openid/userinfo.js";

/**
 * GET /_matrix/federation/v1/openid/userinfo: whose OpenID token this is. Asked by third parties (integration
 * managers) that hold no server key, so it is not X-Matrix signed; the token is the only credential.
 */
export function registerOpenIdUserInfo(app: FastifyInstance, { openid }: Pick<FederationApiServices, "openid">): void {
  app.get<{ Querystring: OpenIdUserInfoQuery }>(
    "/_matrix/federation/v1/openid/userinfo",
    { config: { federationAuth: false }, schema: { querystring: openIdUserInfoQuery } },
    async (request): Promise<OpenIdUserInfoResponse> => {
      const token = request.query.access_token;
      if (token === undefined || token === "") throw errors.missingToken();
      const userId = await openid.userOf(token);
      if (!userId) throw errors.unknownToken("Access token unknown or expired");
      return { sub: userId };
    },
  );
}
