import type { ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

const HELP = { help: { type: "boolean", short: "h" } } as const;
const CONFIG = { config: { type: "string", short: "c" } } as const;

const CONFIG_LINE = "  -c, --config FILE     the configuration file (default: $MYELIN_CONFIG)";
const HELP_LINE = "  -h, --help            print this help and exit";

/** Each command's options (parseArgs refuses any other) and its help text. */
export const COMMANDS = {
  start: {
    options: { ...CONFIG, ...HELP },
    usage: `usage: myelin start [--config FILE]

Runs the homeserver. With no config file it serves server_name localhost on 127.0.0.1:8008, keeps its data in
./data and lets anyone register: for local use only.
SIGTERM or SIGINT stops it within seconds: it stops accepting connections, answers waiting /sync requests,
closes sync WebSockets (code 1001), lets requests in flight finish, then exits.

options:
${CONFIG_LINE}
${HELP_LINE}`,
  },
  "generate-config": {
    options: { output: { type: "string", short: "o" }, "server-name": { type: "string" }, ...HELP },
    usage: `usage: myelin generate-config [--output FILE] [--server-name NAME]

Writes the commented sample configuration (registration off) to a new file; never overwrites one.

options:
  -o, --output FILE     where to write it (default: homeserver.yaml)
      --server-name NAME
                        the server's public name, the part after ':' in user ids (default: localhost)
${HELP_LINE}`,
  },
  "register-user": {
    options: { user: { type: "string", short: "u" }, password: { type: "string", short: "p" }, admin: { type: "boolean" }, ...CONFIG, ...HELP },
    usage: `usage: myelin register-user --user NAME --password PW [--admin] [--config FILE]

Creates an account from the server's shell, whatever the registration settings say. On PostgreSQL it works
while the server runs; on the embedded database only while the server is stopped (it is refused otherwise).

options:
  -u, --user NAME       the localpart, or a full user id on this server
  -p, --password PW     the account's password
      --admin           make the account a server admin
${CONFIG_LINE}
${HELP_LINE}`,
  },
  migrate: {
    options: { ...CONFIG, ...HELP },
    usage: `usage: myelin migrate [--config FILE]

Applies database migrations and exits (start applies them too). On the embedded database, stop the server first.

options:
${CONFIG_LINE}
${HELP_LINE}`,
  },
  "push-gateway": {
    options: { ...CONFIG, ...HELP },
    usage: `usage: myelin push-gateway --config FILE

Runs Myelin's Push Gateway: it serves the Push Gateway API (POST /_matrix/push/v1/notify) for any homeserver's
HTTP pushers and delivers to WebPush, Firebase Cloud Messaging (HTTP v1) and APNs (HTTP/2, token auth), as the
file's apps say (see push-gateway.sample.yaml). It keeps no state. SIGTERM or SIGINT stops it.

options:
  -c, --config FILE     the push gateway's configuration file (required; not the homeserver's)
${HELP_LINE}`,
  },
} satisfies Record<string, { options: Options; usage: string }>;

export type CommandName = keyof typeof COMMANDS;

export const USAGE = `usage: myelin <command> [options]

commands:
  start [--config FILE]                 run the homeserver (no file: localhost:8008, data in ./data)
  generate-config [--output FILE] [--server-name NAME]
                                        write a commented config file
  register-user --user NAME --password PW [--admin] [--config FILE]
                                        create an account from the shell
  migrate [--config FILE]               apply database migrations and exit
  push-gateway --config FILE            run Myelin's Push Gateway (WebPush, FCM, APNs)
  help [COMMAND]                        print this help, or a command's

\`myelin <command> --help\` describes a command.

environment: MYELIN_CONFIG names the config file; MYELIN_<KEY> overrides a key (nested keys with __,
e.g. MYELIN_DATABASE__URL); MYELIN_PORT sets the first listener's port.`;

export function isCommand(name: string | undefined): name is CommandName {
  return name !== undefined && Object.hasOwn(COMMANDS, name);
}
