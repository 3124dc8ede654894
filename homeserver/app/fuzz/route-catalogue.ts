import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { FastifyInstance, RouteOptions } from "fastify";

/** One method of one registered route, as the fuzzer sees it. */
export interface FuzzRoute {
  method: string;
  /** The route pattern as registered, e.g. `/_matrix/client/v3/rooms/:roomId/send/:eventType/:txnId`. */
  url: string;
  /** The names of its path parameters, in order. */
  params: string[];
  schema: { body?: JsonSchema; querystring?: JsonSchema; params?: JsonSchema };
  /**
   * Set on a route that is another's copy (a GET's HEAD, a v3 path's r0 twin: same handler, same path shape):
   * the first registered is fuzzed in full, its copies lightly.
   */
  copyOf?: string;
}

export type JsonSchema = Record<string, unknown>;

/** `METHOD url`: how routes are named in reports and in KNOWN_5XX. */
export const routeKey = (route: Pick<FuzzRoute, "method" | "url">) => `${route.method} ${route.url}`;

// `:keyName(^(?:displayname|avatar_url)$)` names the parameter keyName; a regex may follow the name.
const PARAM = /:([A-Za-z0-9_]+)(?:\([^/]*\))?/g;

/** The endpoint a route serves: r0 copies and HEAD answer as their v3 GET does. */
function endpointOf(method: string, url: string, handler: unknown): { handler: unknown; key: string } {
  const shape = url.replace(/^\/_matrix\/client\/r0\//, "/_matrix/client/v3/").replace(/(:[A-Za-z0-9_]+)\([^/]*\)/g, "$1");
  return { handler, key: routeKey({ method: method === "HEAD" ? "GET" : method, url: shape }) };
}

function toFuzzRoutes(options: RouteOptions[]): FuzzRoute[] {
  const firstOfEndpoint = new Map<unknown, Map<string, string>>();
  const routes: FuzzRoute[] = [];
  for (const option of options) {
    for (const method of [option.method].flat()) {
      const own = routeKey({ method, url: option.url });
      const endpoint = endpointOf(method, option.url, option.handler);
      let byKey = firstOfEndpoint.get(endpoint.handler);
      if (!byKey) firstOfEndpoint.set(endpoint.handler, (byKey = new Map()));
      const first = byKey.get(endpoint.key);
      if (!first && method !== "HEAD") byKey.set(endpoint.key, own);
      routes.push({
        method,
        url: option.url,
        params: [...option.url.matchAll(PARAM)].map((match) => match[1]),
        schema: (option.schema ?? {}) as FuzzRoute["schema"],
        copyOf: first ?? (method === "HEAD" ? endpoint.key : undefined),
      });
    }
  }
  return routes;
}

/**
 * Builds an app and records every route it registers, from the first: Fastify announces each new instance
 * on the `fastify.initialization` diagnostics channel before any route exists, so an `onRoute` hook added
 * there sees all of them, including routes added after this file was written, with no option in the app.
 */
export async function withRouteCatalogue<T extends { http: FastifyInstance }>(build: () => Promise<T>): Promise<{ app: T; routes: FuzzRoute[] }> {
  const seen = new Map<FastifyInstance, RouteOptions[]>();
  const onInstance = (message: unknown) => {
    const fastify = (message as { fastify: FastifyInstance }).fastify;
    const list: RouteOptions[] = [];
    seen.set(fastify, list);
    fastify.addHook("onRoute", (route) => void list.push(route));
  };
  subscribe("fastify.initialization", onInstance);
  let app: T;
  try {
    app = await build();
  } finally {
    unsubscribe("fastify.initialization", onInstance);
  }
  const options = seen.get(app.http);
  if (!options) throw new Error("the app's Fastify instance was not announced on fastify.initialization");
  return { app, routes: toFuzzRoutes(options) };
}
