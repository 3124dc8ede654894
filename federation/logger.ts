import type { Logger as CoreLogger } from "../homeserver/core/logger.js";

/** The log calls federation makes (the keyring's failed fetches, the sender's failures and transactions). */
export type Logger = Pick<CoreLogger, "debug" | "info" | "warn" | "error">;
