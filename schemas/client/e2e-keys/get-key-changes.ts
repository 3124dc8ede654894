import type { ClientRoute } from "../client-route.js";

/** GET /_matrix/client/v3/keys/changes (getKeysChanges): whose device lists changed between two sync tokens. */
export const getKeyChangesRoute: ClientRoute<"required", { query: { from: string; to: string }; response: { changed: string[]; left: string[] } }> = {
  method: "GET",
  path: "/_matrix/client/v3/keys/changes",
  auth: "required",
  rateLimited: false,
  query: { type: "object", required: ["from", "to"], properties: { from: { type: "string" }, to: { type: "string" } } },
};
