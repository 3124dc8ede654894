import type { FastifyRequest } from "fastify";
import { errors } from "../../homeserver/errors.js";
import type { Requester, TokenAuthenticator } from "../../homeserver/users/requester.js";

/** The spec allows the token in the Authorization header or, deprecated but still used, the query string. */
export function accessTokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match ? match[1] : undefined;
  }
  const query = request.query as Record<string, unknown> | undefined;
  const token = query?.access_token;
  return typeof token === "string" && token !== "" ? token : undefined;
}

export async function requireUser(request: FastifyRequest, authenticator: TokenAuthenticator): Promise<Requester> {
  const token = accessTokenOf(request);
  if (!token) {
    if (request.headers.authorization) throw errors.unknownToken("Invalid Authorization header");
    throw errors.missingToken();
  }
  return authenticator.authenticate(token);
}
