import type { FastifyInstance } from "fastify";
import type { ClientApiServices } from "./client-api-services.js";
import { createClientApiContext } from "./client-api-context.js";
import { registerDiscoveryRoutes } from "./routes/discovery/index.js";
import { registerAccountRoutes } from "./routes/account/index.js";
import { registerDevicesRoutes } from "./routes/devices/index.js";
import { registerProfileRoutes } from "./routes/profile/index.js";
import { registerAccountDataRoutes } from "./routes/account-data/index.js";
import { registerFiltersRoutes } from "./routes/filters/index.js";
import { registerRoomsRoutes } from "./routes/rooms/index.js";
import { registerSyncRoutes } from "./routes/sync/index.js";
import { registerRoomReadsRoutes } from "./routes/room-reads/index.js";
import { registerDirectoryRoutes } from "./routes/directory/index.js";
import { registerTypingRoutes } from "./routes/typing/index.js";
import { registerPresenceRoutes } from "./routes/presence/index.js";
import { registerReceiptsRoutes } from "./routes/receipts/index.js";
import { registerPushRulesRoutes } from "./routes/push-rules/index.js";
import { serveR0Operations } from "./r0-routes.js";
import { installJsonContentType } from "./http/json-content-type.js";

/** Mounts `/_matrix/client/*` and `/.well-known/matrix/client` on an app that has the HTTP plumbing installed. */
export function registerClientApi(app: FastifyInstance, services: ClientApiServices): void {
  const ctx = createClientApiContext(services);
  // First, so that it sees every route below as it is registered.
  serveR0Operations(app);
  installJsonContentType(app);
  registerDiscoveryRoutes(app, ctx);
  registerAccountRoutes(app, ctx);
  registerDevicesRoutes(app, ctx);
  registerProfileRoutes(app, ctx);
  registerAccountDataRoutes(app, ctx);
  registerFiltersRoutes(app, ctx);
  registerRoomsRoutes(app, ctx);
  registerSyncRoutes(app, ctx);
  registerRoomReadsRoutes(app, ctx);
  registerDirectoryRoutes(app, ctx);
  registerTypingRoutes(app, ctx);
  registerPresenceRoutes(app, ctx);
  registerReceiptsRoutes(app, ctx);
  registerPushRulesRoutes(app, ctx);
}
