import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from "fastify";
import type { WebSocket } from "ws";
import type { ClientRoute, ClientRouteAuth, ClientRouteTypes } from "../../schemas/client/client-route.js";
import type { Requester } from "../../homeserver/users/requester.js";
import { accessTokenOf, requireUser } from "./auth.js";
import { guestMayCall } from "./guest-access.js";
import { errors } from "../../homeserver/errors.js";
import { JsonText } from "../../homeserver/json-text.js";

/** What the helper needs to admit a request: tokens checked, rates kept. */
export interface RouteGuards {
  authenticator: { authenticate(accessToken: string, options?: { allowExpired?: boolean }): Promise<Requester> };
  /** Throws M_LIMIT_EXCEEDED when `key` (a user id, or an IP) is over its rate. */
  rateLimit(key: string): void;
}

type Part<Types extends ClientRouteTypes, Name extends keyof ClientRouteTypes> = Name extends keyof Types ? Types[Name] : unknown;

/** Fastify's request, with params, query and body of the types the description's schemas check. */
export type RouteRequest<Types extends ClientRouteTypes> = FastifyRequest<{
  Params: Part<Types, "params">;
  Querystring: Part<Types, "query">;
  Body: Part<Types, "body">;
}>;

/** Who calls, as far as the description's auth establishes it. */
export type RequesterOf<Auth extends ClientRouteAuth> = Auth extends "required" | "expired-allowed"
  ? Requester
  : Auth extends "optional"
    ? Requester | undefined
    : undefined;

export type RouteHandler<Auth extends ClientRouteAuth, Types extends ClientRouteTypes> = (
  request: RouteRequest<Types>,
  requester: RequesterOf<Auth>,
  reply: FastifyReply,
) => Promise<Part<Types, "response"> | JsonText>;

/** For a GET that may be upgraded to a WebSocket: the plain GET gets the handler's answer. */
export interface SocketUpgrade<Auth extends ClientRouteAuth> {
  /** Runs once the request is admitted, before the handshake: it may adjust the handshake's headers. */
  prepare?(request: FastifyRequest): void;
  open(socket: WebSocket, request: FastifyRequest, requester: RequesterOf<Auth>): void;
}

type Identify<Auth extends ClientRouteAuth> = (request: FastifyRequest, authenticator: RouteGuards["authenticator"]) => Promise<RequesterOf<Auth>>;

const IDENTIFY: { [Auth in ClientRouteAuth]: Identify<Auth> } = {
  required: (request, authenticator) => requireUser(request, authenticator),
  "expired-allowed": (request, authenticator) =>
    requireUser(request, { authenticate: (token) => authenticator.authenticate(token, { allowExpired: true }) }),
  optional: async (request, authenticator) => (accessTokenOf(request) === undefined ? undefined : requireUser(request, authenticator)),
  none: async () => undefined,
};

/** Only the parts a description has: Fastify warns about a schema key that is present but undefined. */
function schemaOf(route: ClientRoute): FastifySchema | undefined {
  const schema: FastifySchema = {};
  if (route.params) schema.params = route.params;
  if (route.query) schema.querystring = route.query;
  if (route.body) schema.body = route.body;
  return Object.keys(schema).length > 0 ? schema : undefined;
}

/**
 * A route's own refusals of a well-formed request that do not depend on how often the caller asks (403 for
 * another user's data, 400 for a malformed room id). They run after authentication and before the rate
 * limit, so a caller over its rate still learns that the request itself is refused, as from Synapse, which
 * does not rate limit these endpoints at all.
 */
export type RouteChecks<Auth extends ClientRouteAuth, Types extends ClientRouteTypes> = (request: RouteRequest<Types>, requester: RequesterOf<Auth>) => void;

/**
 * Registers an endpoint from its description. Fastify validates params, query and body against the
 * description's schemas first; then the caller is authenticated and rate limited as the description says
 * (after validation, as the routes always did: a malformed request is 400 whatever its token), and the
 * handler gets the request typed by the description's types and the requester.
 */
export function defineRoute<Auth extends ClientRouteAuth, Types extends ClientRouteTypes>(
  app: FastifyInstance,
  guards: RouteGuards,
  route: ClientRoute<Auth, Types>,
  // The description alone decides the types; the handler is checked against them.
  handler: NoInfer<RouteHandler<Auth, Types>>,
  upgrade?: NoInfer<SocketUpgrade<Auth>>,
): void {
  register(app, guards, route, handler, upgrade);
}

/** As defineRoute, with the route's own `checks` run between authentication and the rate limit. */
export function defineCheckedRoute<Auth extends ClientRouteAuth, Types extends ClientRouteTypes>(
  app: FastifyInstance,
  guards: RouteGuards,
  route: ClientRoute<Auth, Types>,
  checks: NoInfer<RouteChecks<Auth, Types>>,
  handler: NoInfer<RouteHandler<Auth, Types>>,
): void {
  register(app, guards, route, handler, undefined, checks);
}

function register<Auth extends ClientRouteAuth, Types extends ClientRouteTypes>(
  app: FastifyInstance,
  guards: RouteGuards,
  route: ClientRoute<Auth, Types>,
  handler: RouteHandler<Auth, Types>,
  upgrade?: SocketUpgrade<Auth>,
  checks?: RouteChecks<Auth, Types>,
): void {
  type Generic = { Params: Part<Types, "params">; Querystring: Part<Types, "query">; Body: Part<Types, "body"> };
  const identify: Identify<Auth> = IDENTIFY[route.auth];
  const admit = async (request: RouteRequest<Types>): Promise<RequesterOf<Auth>> => {
    const requester = await identify(request, guards.authenticator);
    const user: Requester | undefined = requester;
    if (user?.isGuest && !guestMayCall(route, request.params)) throw errors.guestAccessForbidden();
    checks?.(request, requester);
    if (route.rateLimited) guards.rateLimit(user?.userId ?? request.ip);
    return requester;
  };
  const schema = schemaOf(route);
  const options = {
    method: route.method,
    url: route.path,
    ...(schema ? { schema } : {}),
    ...(route.bodyLimit === undefined ? {} : { bodyLimit: route.bodyLimit }),
  };
  if (!upgrade) {
    app.route<Generic>({ ...options, handler: async (request, reply) => sent(reply, await handler(request, await admit(request), reply)) });
    return;
  }
  // The token is checked before the handshake, so a bad one gets the plain HTTP 401 and no socket opens.
  const admitted = new WeakMap<FastifyRequest, { requester: RequesterOf<Auth> }>();
  const admittedOf = (request: FastifyRequest) => {
    const entry = admitted.get(request);
    if (!entry) throw new Error(`${route.method} ${route.path} ran without its preHandler`);
    admitted.delete(request);
    return entry.requester;
  };
  app.route<Generic>({
    ...options,
    preHandler: async (request) => {
      admitted.set(request, { requester: await admit(request) });
      upgrade.prepare?.(request);
    },
    handler: async (request, reply) => sent(reply, await handler(request, admittedOf(request), reply)),
    wsHandler: (socket, request) => upgrade.open(socket, request, admittedOf(request)),
  });
}

/** What the handler answered, with JSON text sent as it is (Fastify would send a string as text/plain). */
function sent<T>(reply: FastifyReply, answer: T | JsonText): T | FastifyReply {
  return answer instanceof JsonText ? reply.type("application/json").send(answer.text) : answer;
}
