import { writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ConfigError, loadConfig } from "../core/config.js";
import { COMMANDS, USAGE, isCommand, type CommandName } from "./cli-usage.js";
import { StartupError } from "./startup-error.js";
import type { RunningServer } from "./start-server.js";

/** A stop that has not finished by then is stuck (each of its steps is bounded): exit anyway. */
const SHUTDOWN_LIMIT_MS = 30_000;

class UsageError extends Error {}

/** The exit code, or -1 while the server runs. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h") return printHelp(USAGE);
  if (command === "help") return printHelp(isCommand(rest[0]) ? COMMANDS[rest[0]].usage : USAGE);
  if (!isCommand(command)) throw new UsageError(`unknown command ${command}`);
  const values = parseOptions(command, rest);
  if (values.help) return printHelp(COMMANDS[command].usage);
  const configPath = (values.config as string | undefined) ?? process.env.MYELIN_CONFIG;
  switch (command) {
    case "start": {
      const { config, defaults } = await loadConfig(configPath, process.env);
      const { startServer } = await import("./start-server.js");
      stopOnSignals(await startServer(config, { usingDefaults: defaults }));
      return -1; // keep running
    }
    case "generate-config": {
      const output = (values.output as string | undefined) ?? "homeserver.yaml";
      if (existsSync(output)) throw new ConfigError(`${output} exists; refusing to overwrite it`);
      const { SAMPLE_CONFIG } = await import("./sample-config.js");
      const serverName = (values["server-name"] as string | undefined) ?? "localhost";
      await writeFile(output, SAMPLE_CONFIG.replace("server_name: localhost", `server_name: ${serverName}`), { mode: 0o600 });
      console.log(`wrote ${output}`);
      return 0;
    }
    case "register-user": {
      if (!values.user || !values.password) throw new UsageError("register-user needs --user and --password");
      const { config } = await loadConfig(configPath, process.env);
      const { registerUserFromConfig } = await import("./register-user-command.js");
      const userId = await registerUserFromConfig(config, { localpart: values.user as string, password: values.password as string, admin: values.admin === true });
      console.log(`registered ${userId}`);
      return 0;
    }
    case "migrate": {
      const { config } = await loadConfig(configPath, process.env);
      const { migrateFromConfig } = await import("./migrate-command.js");
      const applied = await migrateFromConfig(config);
      console.log(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
      return 0;
    }
    case "push-gateway": {
      // Its own file, never MYELIN_CONFIG: that names the homeserver's.
      if (!values.config) throw new UsageError("push-gateway needs --config FILE", { cause: command });
      const { loadPushGatewayConfig } = await import("../push-gateway/config/gateway-config.js");
      const { startPushGateway } = await import("../push-gateway/start-push-gateway.js");
      const gateway = await startPushGateway(await loadPushGatewayConfig(values.config as string));
      stopOnSignals({ ctx: { logger: gateway.logger }, stop: gateway.stop });
      return -1; // keep running
    }
  }
}

function parseOptions(command: CommandName, args: string[]): Record<string, string | boolean | undefined> {
  try {
    const options: ParseArgsConfig["options"] = COMMANDS[command].options;
    return parseArgs({ args, options, allowPositionals: false, strict: true }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    // parseArgs says what is wrong in a sentence ("Unknown option '--x'"); the usage says what is right.
    throw new UsageError(`${command}: ${(error as Error).message}`, { cause: command });
  }
}

function printHelp(text: string): number {
  console.log(text);
  return 0;
}

/** SIGTERM, SIGINT, SIGHUP: a graceful stop; a second signal while stopping exits at once. */
function stopOnSignals(server: { ctx: Pick<RunningServer["ctx"], "logger">; stop(): Promise<void> }): void {
  const { logger } = server.ctx;
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, "second signal while shutting down: exiting now");
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, "shutting down");
    setTimeout(() => {
      logger.error(`shutdown did not finish within ${SHUTDOWN_LIMIT_MS / 1000} s: exiting`);
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    server.stop().then(
      () => {
        logger.info("stopped");
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, () => shutdown(signal));
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      const command = typeof error.cause === "string" && isCommand(error.cause) ? error.cause : undefined;
      console.error(`myelin: ${error.message}\n\n${command ? COMMANDS[command].usage : USAGE}`);
      process.exit(2);
    }
    // What the operator has to fix (configuration, a busy port, an unreachable database, a taken username):
    // the message alone, one line. Anything else is a bug, and its stack trace helps.
    const known = error instanceof ConfigError || error instanceof StartupError || (error instanceof Error && error.name === "MatrixError");
    console.error(known ? `myelin: ${(error as Error).message}` : error);
    process.exit(1);
  },
);
