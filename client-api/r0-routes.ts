import type { FastifyInstance, RouteOptions } from "fastify";
import { R0_OPERATIONS } from "./r0-operations.js";

const V3 = "/_matrix/client/v3";
const R0 = "/_matrix/client/r0";

/** One path segment of an r0 operation: a literal, or a parameter (optionally limited to some values). */
type Segment = { literal: string } | { values?: string[] };

interface Operation {
  method: string;
  segments: Segment[];
}

function parseOperation(operation: string): Operation {
  const [method, path] = operation.split(" ");
  const segments = path
    .slice(1)
    .split("/")
    .map((part): Segment => {
      const param = /^\{[^}:]+(?::([^}]+))?\}$/.exec(part);
      if (!param) return { literal: part };
      return param[1] ? { values: param[1].split("|") } : {};
    });
  return { method, segments };
}

const OPERATIONS: Operation[] = R0_OPERATIONS.map(parseOperation);

const isParam = (segment: string) => segment.startsWith(":");
const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The r0 URL a v3 route is also served at, or undefined when its operation is not one r0 had. Parameters
 * match by position, not name, so `:alias` in our route matches `{roomAlias}` in the list.
 */
export function r0UrlOf(method: string, v3Url: string): string | undefined {
  if (!v3Url.startsWith(`${V3}/`)) return undefined;
  const parts = v3Url.slice(V3.length + 1).split("/");
  const operation = OPERATIONS.find(
    (op) =>
      op.method === method &&
      op.segments.length === parts.length &&
      op.segments.every((segment, i) => ("literal" in segment ? segment.literal === parts[i] : isParam(parts[i]))),
  );
  if (!operation) return undefined;
  const r0Parts = parts.map((part, i) => {
    const segment = operation.segments[i];
    if ("literal" in segment || !segment.values) return part;
    // find-my-way anchors nothing itself: the regex must cover the whole segment.
    return `${part}(^(?:${segment.values.map(escapeRegex).join("|")})$)`;
  });
  return `${R0}/${r0Parts.join("/")}`;
}

/**
 * Serves every client route whose operation existed in r0 under `/_matrix/client/r0` too, with the same
 * handler, schemas and hooks, as Synapse does. Install before the routes are registered: it watches each
 * route as it is added, so route files name only their v3 path. The copy is added to `app` itself, which
 * is where every client route lives today; a route inside an encapsulated plugin would lose that plugin's
 * own hooks in its r0 copy.
 */
export function serveR0Operations(app: FastifyInstance): void {
  app.addHook("onRoute", (route: RouteOptions) => {
    const methods = [route.method].flat();
    // Fastify adds HEAD for each GET by itself, for the r0 copy as for the original.
    const wanted = methods.filter((method) => method !== "HEAD" && r0UrlOf(method, route.url) !== undefined);
    for (const method of wanted) {
      const url = r0UrlOf(method, route.url)!;
      app.route({ ...route, method, url, path: url } as RouteOptions);
    }
  });
}
