import type { ClientRoute } from "../client-route.js";
import type { ServerWellKnown } from "../../federation/discovery/get-well-known.js";

/** GET /.well-known/matrix/server, served beside the client well-known (where server_name's HTTPS lands). */
export const getServerWellknownRoute: ClientRoute<"none", { response: ServerWellKnown }> = {
  method: "GET",
  path: "/.well-known/matrix/server",
  auth: "none",
  rateLimited: false,
};
