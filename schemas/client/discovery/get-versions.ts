import type { ClientRoute } from "../client-route.js";

/** GET /_matrix/client/versions (getVersions). */
export interface GetVersionsResponse {
  versions: string[];
  unstable_features?: Record<string, boolean>;
}

export const getVersionsRoute: ClientRoute<"none", { response: GetVersionsResponse }> = {
  method: "GET",
  path: "/_matrix/client/versions",
  auth: "none",
  rateLimited: false,
};
