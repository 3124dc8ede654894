import type { MediaStore } from "../storage/stores/media-store.js";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/logger.js";
import type { MediaConfig } from "../core/config.js";
import type { MediaFiles } from "./media-files.js";

/** What the media services share: this server's name, the metadata, the files, time, logs and the settings. */
export interface MediaDeps {
  serverName: string;
  store: MediaStore;
  files: MediaFiles;
  clock: Clock;
  logger: Pick<Logger, "warn" | "info">;
  config: MediaConfig;
}

/** A stored file's description, ready to serve. */
export interface ServableMedia {
  contentType: string;
  /** The name to suggest to a browser; null when there is none. */
  fileName: string | null;
  size: number;
  sha256: string;
}

export const mediaKey = (serverName: string, mediaId: string) => `${serverName}/${mediaId}`;
