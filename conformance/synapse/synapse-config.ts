import { randomBytes } from "node:crypto";
import { join } from "node:path";

/** Rate limits high enough that the concurrency scenarios never see 429. */
const unlimited = { per_second: 10_000, burst_count: 100_000 };

/** Synapse's homeserver.yaml for a throwaway loopback server with sqlite in `dir`. */
export function synapseConfig(dir: string, port: number): Record<string, unknown> {
  const secret = () => randomBytes(24).toString("hex");
  return {
    server_name: `localhost:${port}`,
    public_baseurl: `http://127.0.0.1:${port}/`,
    pid_file: join(dir, "homeserver.pid"),
    listeners: [
      {
        port,
        bind_addresses: ["127.0.0.1"],
        type: "http",
        tls: false,
        x_forwarded: false,
        // openid serves /_matrix/federation/v1/openid/userinfo, which third parties call.
        resources: [{ names: ["client", "federation", "openid"], compress: false }],
      },
    ],
    database: { name: "sqlite3", args: { database: join(dir, "homeserver.db") } },
    log_config: join(dir, "log.config.yaml"),
    media_store_path: join(dir, "media_store"),
    // Generated on first start ("--generate-missing-and-run" is Synapse's default mode).
    signing_key_path: join(dir, "signing.key"),
    trusted_key_servers: [],
    // The pusher scenario's push gateway listens on loopback, which Synapse's outgoing requests refuse by default.
    ip_range_whitelist: ["127.0.0.1"],
    suppress_key_server_warning: true,
    report_stats: false,
    enable_registration: true,
    enable_registration_without_verification: true,
    // The guest scenarios need guests; Myelin's conformance target turns guest_access.enabled on likewise.
    allow_guest_access: true,
    macaroon_secret_key: secret(),
    form_secret: secret(),
    registration_shared_secret: secret(),
    rc_message: unlimited,
    rc_registration: unlimited,
    rc_registration_token_validity: unlimited,
    rc_login: { address: unlimited, account: unlimited, failed_attempts: unlimited },
    rc_admin_redaction: unlimited,
    rc_joins: { local: unlimited, remote: unlimited },
    rc_joins_per_room: unlimited,
    rc_3pid_validation: unlimited,
    rc_invites: { per_room: unlimited, per_user: unlimited, per_issuer: unlimited },
    rc_third_party_invite: unlimited,
    rc_room_creation: unlimited,
    rc_media_create: unlimited,
    rc_presence: { per_user: unlimited },
    rc_delayed_event_mgmt: unlimited,
    rc_reports: unlimited,
    rc_federation: { window_size: 1000, sleep_limit: 10_000, sleep_delay: 1, reject_limit: 100_000, concurrent: 1000 },
  };
}

/** Python logging config: warnings and errors to stderr, which the harness writes to the server log file. */
export function synapseLogConfig(): Record<string, unknown> {
  return {
    version: 1,
    formatters: { precise: { format: "%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(message)s" } },
    handlers: { console: { class: "logging.StreamHandler", formatter: "precise", stream: "ext://sys.stderr" } },
    loggers: { synapse: { level: "WARNING" } },
    root: { level: "WARNING", handlers: ["console"] },
    disable_existing_loggers: false,
  };
}
