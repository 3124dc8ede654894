import type { ClientApiServices } from "./client-api-services.js";
import type { RouteGuards } from "./http/define-route.js";
import { RateLimiter } from "./http/rate-limit.js";

/** What a route file receives: the services, the guards its route descriptions name, and one shared action. */
export interface ClientApiContext {
  services: ClientApiServices;
  /** Authentication and rate limiting, applied by defineRoute as each description says. */
  guards: RouteGuards;
  /** The user did something (sent, read): presence counts it as activity, as Synapse does. Never throws. */
  userWasActive(userId: string): void;
}

export function createClientApiContext(services: ClientApiServices): ClientApiContext {
  const limiter = new RateLimiter(services.rateLimits, services.clock);
  return {
    services,
    guards: { authenticator: services.auth, rateLimit: (key) => limiter.take(key) },
    userWasActive: (userId) => {
      services.presence.markActive(userId).catch((error: Error) => services.logger.warn({ err: error.message }, "presence update failed"));
    },
  };
}
