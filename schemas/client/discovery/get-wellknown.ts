import type { ClientRoute } from "../client-route.js";

/** GET /.well-known/matrix/client (getWellknown). */
export interface DiscoveryInformation {
  "m.homeserver": { base_url: string };
  "m.identity_server"?: { base_url: string };
  [key: string]: unknown;
}

export const getWellknownRoute: ClientRoute<"none", { response: DiscoveryInformation }> = {
  method: "GET",
  path: "/.well-known/matrix/client",
  auth: "none",
  rateLimited: false,
};
