import { writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "./config.js";
import { startServer, openConfiguredDatabase } from "./start-server.js";
import { migrateToLatest } from "../storage/migrate.js";
import { SAMPLE_CONFIG } from "./sample-config.js";
import { silentLogger } from "./logger.js";

const USAGE = `usage: myelin <command> [options]

commands:
  start [--config FILE]                 run the homeserver (no file: localhost:8008, data in ./data)
  generate-config [--output FILE] [--server-name NAME]
                                        write a commented config file
  register-user --user NAME --password PW [--admin] [--config FILE]
                                        create an account from the shell
  migrate [--config FILE]               apply database migrations and exit

environment: MYELIN_CONFIG names the config file; MYELIN_<KEY> overrides a key (nested keys with __,
e.g. MYELIN_DATABASE__URL); MYELIN_PORT sets the first listener's port.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      config: { type: "string", short: "c" },
      output: { type: "string", short: "o" },
      "server-name": { type: "string" },
      user: { type: "string", short: "u" },
      password: { type: "string", short: "p" },
      admin: { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: false,
  });
  const configPath = values.config ?? process.env.MYELIN_CONFIG;
  switch (command) {
    case "start": {
      const { config, defaults } = await loadConfig(configPath, process.env);
      const server = await startServer(config, { usingDefaults: defaults });
      const shutdown = async (signal: string) => {
        server.ctx.logger.info({ signal }, "shutting down");
        await server.stop();
        process.exit(0);
      };
      process.once("SIGTERM", () => void shutdown("SIGTERM"));
      process.once("SIGINT", () => void shutdown("SIGINT"));
      return -1; // keep running
    }
    case "generate-config": {
      const output = values.output ?? "homeserver.yaml";
      if (existsSync(output)) throw new ConfigError(`${output} exists; refusing to overwrite it`);
      await writeFile(output, SAMPLE_CONFIG.replace("server_name: localhost", `server_name: ${values["server-name"] ?? "localhost"}`), { mode: 0o600 });
      console.log(`wrote ${output}`);
      return 0;
    }
    case "register-user": {
      if (!values.user || !values.password) throw new ConfigError("register-user needs --user and --password");
      const { config } = await loadConfig(configPath, process.env);
      const { registerUserFromConfig } = await import("./register-user-command.js");
      const userId = await registerUserFromConfig(config, { localpart: values.user, password: values.password, admin: values.admin ?? false });
      console.log(`registered ${userId}`);
      return 0;
    }
    case "migrate": {
      const { config } = await loadConfig(configPath, process.env);
      const database = await openConfiguredDatabase(config, silentLogger);
      const applied = await migrateToLatest(database);
      await database.close();
      console.log(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
      return 0;
    }
    default:
      console.log(USAGE);
      return command === undefined || command === "help" || values.help ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error) => {
    // Configuration and Matrix errors (e.g. a taken username) are the user's to fix: print just the message.
    const known = error instanceof ConfigError || (error instanceof Error && error.name === "MatrixError");
    console.error(known ? error.message : error);
    process.exit(1);
  },
);
