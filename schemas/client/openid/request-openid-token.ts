import type { ClientRoute } from "../client-route.js";

/** POST /_matrix/client/v3/user/{userId}/openid/request_token: the body is an empty object. */
export interface RequestOpenIdTokenParams {
  userId: string;
}

export interface OpenIdTokenResponse {
  access_token: string;
  token_type: "Bearer";
  matrix_server_name: string;
  expires_in: number;
}

export const requestOpenIdTokenRoute: ClientRoute<
  "required",
  { params: RequestOpenIdTokenParams; body: Record<string, unknown>; response: OpenIdTokenResponse }
> = {
  method: "POST",
  path: "/_matrix/client/v3/user/:userId/openid/request_token",
  auth: "required",
  rateLimited: true,
  params: { type: "object", required: ["userId"], properties: { userId: { type: "string", minLength: 1 } } },
  body: { type: "object" },
};
