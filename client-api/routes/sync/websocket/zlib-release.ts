import type { WebSocket } from "ws";

/** The parts of ws's permessage-deflate extension object (lib/permessage-deflate.js) this file touches. */
interface DeflateExtension {
  params: Record<string, unknown>;
  _deflate: { close(): void } | null;
  _inflate: { close(): void } | null;
}

/**
 * ws keeps a zlib stream per connection and direction from the first compressed message on. With Node's zlib
 * that is about 100 KB of native memory per connection however small the window (its hash table does not
 * shrink with memLevel), which would make every connection that ever got a large response expensive while
 * idle. The server negotiates no_context_takeover both ways, so each message is compressed on its own and no
 * state needs to outlive it: these close the streams once they are idle, and ws makes new ones for the next
 * compressed message. ws has no public API for this; when its internals differ these do nothing.
 */
export function releaseIdleDeflate(socket: WebSocket): void {
  const extension = deflateExtension(socket);
  // bufferedAmount counts messages queued for or inside compression: zero means the deflate stream is idle.
  if (!extension?._deflate || socket.bufferedAmount !== 0 || extension.params.server_no_context_takeover !== true) return;
  extension._deflate.close();
  extension._deflate = null;
}

/** Call from the 'message' listener: ws emits a message once its inflate stream is done with it. */
export function releaseIdleInflate(socket: WebSocket): void {
  const extension = deflateExtension(socket);
  if (!extension?._inflate || extension.params.client_no_context_takeover !== true) return;
  extension._inflate.close();
  extension._inflate = null;
}

function deflateExtension(socket: WebSocket): DeflateExtension | undefined {
  const extension = (socket as unknown as { _extensions?: Record<string, unknown> })._extensions?.["permessage-deflate"] as Partial<DeflateExtension> | undefined;
  if (!extension || typeof extension.params !== "object" || !("_deflate" in extension) || !("_inflate" in extension)) return undefined;
  return extension as DeflateExtension;
}
