import type { WebsocketPluginOptions } from "@fastify/websocket";
import type { FastifyInstance } from "fastify";
import { SYNC_WEBSOCKET_SUBPROTOCOL } from "../../../../schemas/client/sync/sync-websocket.js";
import { CLOSE } from "./close-codes.js";
import type { SyncWebSocketSettings } from "./sync-websocket-settings.js";

/** How long shutdown waits for clients to answer the server's close frame before dropping their connections. */
const CLOSE_HANDSHAKE_GRACE_MS = 2_000;

/** zlib's output buffer per stream (Node's default is 16 KB); sync responses that need more take several. */
const ZLIB_CHUNK_BYTES = 4096;

/**
 * Options for @fastify/websocket (it wraps `ws`), registered once per HTTP app. Compression uses a small
 * window and memory level, messages under the threshold go as they are, and no zlib state stays allocated
 * between messages (zlib-release.ts), so an idle connection costs no zlib memory.
 */
export function syncWebSocketPluginOptions(config: SyncWebSocketSettings, maxPayloadBytes: number): WebsocketPluginOptions {
  const { compression } = config;
  return {
    options: {
      maxPayload: maxPayloadBytes,
      perMessageDeflate: compression.enabled
        ? {
            threshold: compression.threshold_bytes,
            serverMaxWindowBits: compression.window_bits,
            clientMaxWindowBits: compression.window_bits,
            // Each message compressed on its own, so no zlib state has to outlive it (see zlib-release.ts).
            serverNoContextTakeover: true,
            clientNoContextTakeover: true,
            zlibDeflateOptions: { memLevel: compression.mem_level, chunkSize: ZLIB_CHUNK_BYTES },
            zlibInflateOptions: { chunkSize: ZLIB_CHUNK_BYTES },
          }
        : false,
      // No subprotocol is fine; a client that offers some must offer ours, or the handshake fails on its side.
      handleProtocols: (protocols) => (protocols.has(SYNC_WEBSOCKET_SUBPROTOCOL) ? SYNC_WEBSOCKET_SUBPROTOCOL : false),
    },
    // Clients reconnect with their last acknowledged token; 1001 tells them the server, not they, went away.
    preClose(this: FastifyInstance, done: () => void) {
      const clients = this.websocketServer.clients;
      for (const client of clients) client.close(CLOSE.goingAway, "server shutting down");
      // A client that never answers the close frame would hold shutdown for ws's 30 s closing timeout.
      const stragglers = setTimeout(() => {
        for (const client of clients) client.terminate();
      }, CLOSE_HANDSHAKE_GRACE_MS);
      stragglers.unref();
      this.websocketServer.close(() => {
        clearTimeout(stragglers);
        done();
      });
    },
  };
}

/**
 * The server asks clients to compress with a small window (client_max_window_bits), which the extension
 * only allows when the client offered that parameter; `ws` refuses the whole handshake otherwise. Offers
 * without it are dropped instead, so such a client talks uncompressed rather than not at all.
 */
export function boundedDeflateOffers(header: string): string | undefined {
  const offers = header.split(",").filter((offer) => {
    const [name, ...params] = offer.split(";").map((part) => part.trim());
    return name !== "permessage-deflate" || params.some((param) => /^client_max_window_bits\b/.test(param));
  });
  return offers.length ? offers.join(",") : undefined;
}
