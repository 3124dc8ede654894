/**
 * How a client-server endpoint is described, once, beside its wire types: client-api/http/define-route.ts
 * registers a description with its handler and types the handler's request from it.
 */

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

/** How an endpoint learns who calls it. */
export type ClientRouteAuth =
  /** An access token is required: M_MISSING_TOKEN without one, M_UNKNOWN_TOKEN for a bad or expired one. */
  | "required"
  /** Required, but a token that merely expired is accepted: logging out is how a client ends such a session. */
  | "expired-allowed"
  /** No token is needed; one that is sent is still checked, so a client whose session ended learns it. */
  | "optional"
  | "none";

export type JsonSchema = { readonly [keyword: string]: unknown };

/**
 * The TypeScript types of a request's parts (and of the reply) that the description's JSON Schemas check at
 * run time. A part left out is `unknown` to the handler.
 */
export interface ClientRouteTypes {
  params?: object;
  query?: object;
  body?: unknown;
  response?: unknown;
}

export interface ClientRoute<Auth extends ClientRouteAuth = ClientRouteAuth, Types extends ClientRouteTypes = ClientRouteTypes> {
  method: HttpMethod;
  /** In Fastify's form: `:name` for a path parameter, e.g. `/_matrix/client/v3/rooms/:roomId/typing/:userId`. */
  path: string;
  auth: Auth;
  /** Limited per user, or per IP address when the request names no user. */
  rateLimited: boolean;
  params?: JsonSchema;
  query?: JsonSchema;
  body?: JsonSchema;
  /** Bytes, when this endpoint's body may be larger or must be smaller than the server's limit. */
  bodyLimit?: number;
  /** Never set at run time: it carries `Types` to the route helper. */
  readonly types?: Types;
}
