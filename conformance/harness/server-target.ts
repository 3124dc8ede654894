import type { ServerProcess } from "./server-process.js";

/** The homeserver under test, as the global setup sees it. */
export interface ServerTarget {
  readonly name: string;
  /** e.g. http://127.0.0.1:8448 (no trailing slash). */
  readonly baseUrl: string;
  /** Temp folder holding config, data and the server log; null for an external server. */
  readonly workDir: string | null;
  /** The process the harness owns; null when it does not own one (external), so restart is impossible. */
  readonly process: ServerProcess | null;
  /** Stops the server and removes what the harness created for it (temp databases, ...). */
  dispose(): Promise<void>;
}
