import type { CoreContext } from "../../core/core-context.js";
import { LegacyEventStream } from "./legacy-events.js";
import { LegacyInitialSync, type LegacyInitialSyncDeps } from "./legacy-initial-sync.js";

/** The deprecated pre-/sync API that Synapse still serves: /events, /events/{eventId}, /initialSync. */
export interface LegacySyncServices {
  events: LegacyEventStream;
  initialSync: LegacyInitialSync;
}

export function createLegacySyncServices(
  core: Pick<CoreContext, "streams" | "notifier" | "clock" | "config">,
  deps: Omit<LegacyInitialSyncDeps, "core">,
): LegacySyncServices {
  return {
    events: new LegacyEventStream(core, deps.reads),
    initialSync: new LegacyInitialSync({ core, ...deps }),
  };
}
