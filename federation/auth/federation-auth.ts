import type { FastifyInstance, FastifyRequest, RouteOptions, preValidationHookHandler } from "fastify";
import { errors } from "../../homeserver/errors.js";
import type { Clock } from "../clock.js";
import type { ServerKeys } from "../../homeserver/federation-keys/server-keys.js";
import { parseXMatrix, requestSigningJson, type XMatrixAuth } from "../x-matrix.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The server that signed this request; set on every authenticated `/_matrix/federation/*` route. */
    federationOrigin?: string;
  }
  interface FastifyContextConfig {
    /** `false` for the few federation endpoints the spec leaves unauthenticated (version, openid, 3pid). */
    federationAuth?: boolean;
  }
}

export const FEDERATION_PREFIX = "/_matrix/federation/";

export interface FederationAuthOptions {
  serverName: string;
  serverKeys: ServerKeys;
  clock: Clock;
}

/**
 * Node keeps only the first Authorization header in `request.headers`; a sender may send one per signing
 * key, so read them from the raw header list.
 */
function authorizationHeaders(request: FastifyRequest): string[] {
  const raw = request.raw.rawHeaders;
  const values: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i].toLowerCase() === "authorization") values.push(raw[i + 1]);
  }
  return values;
}

/**
 * Verifies the X-Matrix signature(s) of a request and returns the origin. The signed object always names us
 * as destination (senders before v1.3 signed it but did not put it in the header); the uri is the target
 * exactly as received, and content is the parsed body when there is one.
 */
export async function authenticateFederationRequest(request: FastifyRequest, options: FederationAuthOptions): Promise<string> {
  const headers = authorizationHeaders(request).filter((h) => /^x-matrix\s/i.test(h.trim()));
  if (headers.length === 0) throw errors.unauthorized("Missing X-Matrix Authorization header");
  const parsed: XMatrixAuth[] = [];
  for (const header of headers) {
    const auth = parseXMatrix(header);
    if (!auth) throw errors.unauthorized("Malformed X-Matrix Authorization header");
    parsed.push(auth);
  }
  const origin = parsed[0].origin;
  if (parsed.some((a) => a.origin !== origin)) throw errors.unauthorized("X-Matrix headers name different origins");
  if (parsed.some((a) => a.destination !== undefined && a.destination !== options.serverName)) {
    throw errors.unauthorized("X-Matrix destination is not this server");
  }
  const signed: Record<string, unknown> = {
    ...requestSigningJson(request.method, request.url, origin, options.serverName, request.body),
    signatures: { [origin]: Object.fromEntries(parsed.map((a) => [a.key, a.sig])) },
  };
  let valid = false;
  try {
    valid = await options.serverKeys.verifySignedJson(signed, origin, options.clock.now());
  } catch {
    valid = false;
  }
  if (!valid) throw errors.unauthorized(`Invalid signature for server ${origin}`);
  return origin;
}

/**
 * Makes every route under /_matrix/federation/ registered after this call authenticated, unless its config
 * says `federationAuth: false`: secure by default, so a new route file cannot forget it. Authentication runs
 * before validation, so an unsigned request learns nothing about what a valid body looks like.
 */
export function installFederationAuth(app: FastifyInstance, options: FederationAuthOptions): void {
  if (!app.hasRequestDecorator("federationOrigin")) app.decorateRequest("federationOrigin", undefined);
  const hook: preValidationHookHandler = async (request) => {
    request.federationOrigin = await authenticateFederationRequest(request, options);
  };
  app.addHook("onRoute", (route: RouteOptions) => {
    if (!route.url.startsWith(FEDERATION_PREFIX)) return;
    if ((route.config as { federationAuth?: boolean } | undefined)?.federationAuth === false) return;
    const existing = route.preValidation === undefined ? [] : Array.isArray(route.preValidation) ? route.preValidation : [route.preValidation];
    route.preValidation = [hook, ...existing];
  });
}

/** The authenticated origin of a federation request; for handlers of routes installFederationAuth covers. */
export function requireFederationOrigin(request: FastifyRequest): string {
  if (!request.federationOrigin) throw errors.unauthorized("Request is not authenticated");
  return request.federationOrigin;
}
