import type { Database, Db } from "../storage/database.js";
import type { SigningKey } from "../crypto/signing-key.js";
import type { Notifier } from "../streams/notifier.js";
import type { OrderedPublisher } from "../streams/ordered-publisher.js";
import type { Config } from "./config.js";
import type { Clock } from "./clock.js";
import type { Logger } from "./logger.js";

/**
 * What every service may use. Built once in app/ and passed down: there are no module-level singletons.
 */
export interface CoreContext {
  config: Config;
  serverName: string;
  database: Database;
  db: Db;
  signingKey: SigningKey;
  clock: Clock;
  logger: Logger;
  notifier: Notifier;
  streams: {
    events: OrderedPublisher;
    accountData: OrderedPublisher;
    /** Stored receipts: resumes from the table's maximum. */
    receipts: OrderedPublisher;
    /** In memory: typing and presence start from the clock at each start, above any earlier position. */
    typing: OrderedPublisher;
    presence: OrderedPublisher;
    /**
     * To-device messages: their rows are deleted once delivered, so the position resumes from the stream's
     * high-water mark (stream_high_water), which every write raises in its transaction.
     */
    toDevice: OrderedPublisher;
    /** Device list changes (device_list_changes, kept): which users' devices or keys changed, at what position. */
    deviceLists: OrderedPublisher;
  };
}
