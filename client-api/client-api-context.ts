import type { FastifyRequest } from "fastify";
import type { AppContext } from "../homeserver/app/app-context.js";
import type { Requester } from "../homeserver/users/requester.js";
import { requireUser } from "./http/auth.js";
import { RateLimiter } from "./http/rate-limit.js";

/** What a route file receives: the services, plus the two things every handler needs from HTTP. */
export interface ClientApiContext {
  app: AppContext;
  /** Checks the access token; throws M_MISSING_TOKEN / M_UNKNOWN_TOKEN. */
  auth(request: FastifyRequest): Promise<Requester>;
  /** Throws M_LIMIT_EXCEEDED when `key` (a user id, or an IP) is over its rate. */
  rateLimit(key: string): void;
  /** The user did something (sent, read): presence counts it as activity, as Synapse does. Never throws. */
  userWasActive(userId: string): void;
}

export function createClientApiContext(app: AppContext): ClientApiContext {
  const limiter = new RateLimiter(app.config.rate_limits, app.clock);
  return {
    app,
    auth: (request) => requireUser(request, app.users.auth),
    rateLimit: (key) => limiter.take(key),
    userWasActive: (userId) => {
      app.edus.presence.markActive(userId).catch((error: Error) => app.logger.warn({ err: error.message }, "presence update failed"));
    },
  };
}
