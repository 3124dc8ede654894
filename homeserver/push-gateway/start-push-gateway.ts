import pino from "pino";
import { ConfigError } from "../core/config.js";
import { IpRangeFilter } from "../core/ip-ranges.js";
import type { Logger } from "../core/logger.js";
import { createOutgoingHttp } from "../core/outgoing-http.js";
import type { PushGatewayConfig } from "./config/gateway-config.js";
import { createPushApps } from "./create-push-apps.js";
import { buildPushGatewayHttp } from "./gateway-http.js";
import { NotifyService } from "./notify-service.js";

export interface RunningPushGateway {
  /** The port it listens on (the configured one, or the one picked for port 0). */
  port: number;
  logger: Logger;
  stop(): Promise<void>;
}

/**
 * Myelin's Push Gateway: a program of its own (`myelin push-gateway --config FILE`) that any homeserver's HTTP
 * pushers can point at. It keeps nothing on disk: the homeserver retries what it could not deliver.
 */
export async function startPushGateway(config: PushGatewayConfig, options: { logger?: Logger } = {}): Promise<RunningPushGateway> {
  const logger = options.logger ?? (pino({ level: config.log_level, base: { service: "push-gateway" } }) as unknown as Logger);
  const webPushHttp = createOutgoingHttp({
    ipFilter: new IpRangeFilter(config.ip_range_blocklist, config.ip_range_allowlist),
    userAgent: "Myelin-Push-Gateway",
  });
  const apps = await createPushApps(config, { webPushHttp, logger });
  const http = buildPushGatewayHttp(new NotifyService(apps, logger), logger);
  const closeAll = async () => {
    await http.close();
    await Promise.all([...apps.values()].map((app) => app.close()));
    await webPushHttp.close();
  };
  try {
    await http.listen({ host: config.listen.host, port: config.listen.port });
  } catch (error) {
    await closeAll();
    if ((error as { code?: string }).code === "EADDRINUSE") throw new ConfigError(`port ${config.listen.port} on ${config.listen.host} is already in use`);
    throw error;
  }
  const address = http.server.address();
  const port = typeof address === "object" && address ? address.port : config.listen.port;
  logger.info({ host: config.listen.host, port, apps: [...apps.keys()] }, "push gateway listening");
  return { port, logger, stop: closeAll };
}
