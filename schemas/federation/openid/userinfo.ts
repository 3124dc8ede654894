/** GET /_matrix/federation/v1/openid/userinfo?access_token= (exchangeOpenIdToken): no X-Matrix auth. */
export interface OpenIdUserInfoQuery {
  access_token?: string;
}

export interface OpenIdUserInfoResponse {
  sub: string;
}

export const openIdUserInfoQuery = {
  type: "object",
  properties: { access_token: { type: "string", maxLength: 1024 } },
} as const;
