/** The `sync.websocket` settings (docs/websocket-sync.md), as the socket reads them: the core's config section. */
export type { SyncWebSocketConfig as SyncWebSocketSettings } from "../../../../homeserver/core/config.js";
