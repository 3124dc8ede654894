import { Migrator, type Migration, type MigrationProvider } from "kysely";
import type { Database } from "./database.js";
import * as initialSchema from "./migrations/20261127T1800-initial-schema.js";
import * as users from "./migrations/20261127T1900-users.js";
import * as serverKeyJson from "./migrations/20261128T0900-server-key-json.js";
import * as federationEvents from "./migrations/20261128T1000-federation-events.js";
import * as receipts from "./migrations/20261129T0900-receipts.js";
import * as txnIdScope from "./migrations/20261203T0900-txn-id-scope.js";
import * as pendingRedactions from "./migrations/20261203T1000-pending-redactions.js";
import * as eventRelations from "./migrations/20261203T1100-event-relations.js";
import * as eventSearch from "./migrations/20261203T1200-event-search.js";
import * as guestsAndUserDirectory from "./migrations/20261203T1300-guests-and-user-directory.js";
import * as reportsAndOpenid from "./migrations/20261203T1500-reports-and-openid.js";
import * as pushActions from "./migrations/20261204T0900-push-actions.js";
import * as roomPushActions from "./migrations/20261204T1900-room-push-actions.js";
import * as keyBackup from "./migrations/20261204T2000-key-backup.js";
import * as e2eDeviceKeys from "./migrations/20261204T2010-e2e-device-keys.js";
import * as deviceStreams from "./migrations/20261204T2100-device-streams.js";
import * as pushCounters from "./migrations/20261207T1400-push-counters.js";
import * as crossSigning from "./migrations/20261207T1500-cross-signing.js";
import * as federationDeviceEdus from "./migrations/20261207T1510-federation-device-edus.js";
import * as pushers from "./migrations/20261207T2300-pushers.js";
import * as media from "./migrations/20261207T2310-media.js";
import * as urlPreviews from "./migrations/20261207T2320-url-previews.js";
import * as uiaSessions from "./migrations/20261208T0100-uia-sessions.js";
import * as remoteDeviceLists from "./migrations/20261208T0110-remote-device-lists.js";
import * as callInvitesIndex from "./migrations/20261208T0500-call-invites-index.js";

/**
 * Migrations are listed in code (not read from disk) so they work the same under tsx, bundles and tests.
 * Names start with a UTC timestamp; Kysely applies them in name order and records each once.
 */
const MIGRATIONS: Record<string, Migration> = {
  "20261127T1800-initial-schema": initialSchema,
  "20261127T1900-users": users,
  "20261128T0900-server-key-json": serverKeyJson,
  "20261128T1000-federation-events": federationEvents,
  "20261129T0900-receipts": receipts,
  "20261203T0900-txn-id-scope": txnIdScope,
  "20261203T1000-pending-redactions": pendingRedactions,
  "20261203T1100-event-relations": eventRelations,
  "20261203T1200-event-search": eventSearch,
  "20261203T1300-guests-and-user-directory": guestsAndUserDirectory,
  "20261203T1500-reports-and-openid": reportsAndOpenid,
  "20261204T0900-push-actions": pushActions,
  "20261204T1900-room-push-actions": roomPushActions,
  "20261204T2000-key-backup": keyBackup,
  "20261204T2010-e2e-device-keys": e2eDeviceKeys,
  "20261204T2100-device-streams": deviceStreams,
  "20261207T1400-push-counters": pushCounters,
  "20261207T1500-cross-signing": crossSigning,
  "20261207T1510-federation-device-edus": federationDeviceEdus,
  "20261207T2300-pushers": pushers,
  "20261207T2310-media": media,
  "20261207T2320-url-previews": urlPreviews,
  "20261208T0100-uia-sessions": uiaSessions,
  "20261208T0110-remote-device-lists": remoteDeviceLists,
  "20261208T0500-call-invites-index": callInvitesIndex,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export async function migrateToLatest(database: Database): Promise<string[]> {
  const migrator = new Migrator({ db: database.db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/** Applies the migrations up to and including `name` (migration tests start from an older schema). */
export async function migrateTo(database: Database, name: string): Promise<void> {
  if (!(name in MIGRATIONS)) throw new Error(`no migration ${name}`);
  const { error } = await new Migrator({ db: database.db, provider }).migrateTo(name);
  if (error) throw error instanceof Error ? error : new Error(String(error));
}
