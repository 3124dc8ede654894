import type { ClientRoute } from "../client-route.js";

/** GET /_matrix/client/v3/voip/turnServer; `{}` when the server offers no TURN (as Synapse answers). */
export type TurnServerResponse = { username: string; password: string; uris: string[]; ttl: number } | Record<string, never>;

export const getTurnServerRoute: ClientRoute<"required", { response: TurnServerResponse }> = {
  method: "GET",
  path: "/_matrix/client/v3/voip/turnServer",
  auth: "required",
  rateLimited: true,
};
