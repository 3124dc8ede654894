import { formatSyncToken, type StreamPositions } from "../streams/sync-token.js";
import type { SyncResponse } from "../../schemas/client/sync/get-sync.js";
import type { SyncStreamProvider, SyncRequest, StreamContribution } from "./providers/provider.js";
import { ResponseParts } from "./providers/response-parts.js";
import { roomsInWindow } from "./rooms-in-window.js";
import type { SyncDeps, SyncScope } from "./sync-context.js";

/**
 * Builds one /sync response for the window (since, to], where `to` holds published positions. Used by the
 * long-poll route and the WebSocket transport: it reads only the streams, never data pushed by the notifier.
 * Each stream is one provider; the builder knows none of them by name. It works out the user's rooms, runs
 * every provider's first pass side by side (each skipped when its stream has nothing new for the user), then
 * the second passes in order, and puts the parts together.
 */
export class SyncBuilder {
  constructor(
    private readonly deps: SyncDeps,
    /** In the order of their parts in a response (`syncStreamProviders`). */
    readonly providers: readonly SyncStreamProvider[],
  ) {}

  async build(scope: SyncScope, since: StreamPositions | undefined, to: StreamPositions): Promise<SyncResponse> {
    const request: SyncRequest = { scope, since, to, rooms: await roomsInWindow(this.deps, scope, since, to) };
    const parts = new ResponseParts(this.providers.length);
    const nextBatch = { ...to };
    const add = (i: number, contribution: StreamContribution) => {
      parts.add(i, contribution);
      holdBack(nextBatch, contribution);
    };
    await Promise.all(
      this.providers.map(async (provider, i) => {
        if (provider.collect && provider.news(request) !== "none") add(i, await provider.collect(request));
      }),
    );
    for (const [i, provider] of this.providers.entries()) {
      if (provider.complete) add(i, await provider.complete(request, parts.draft()));
    }
    return parts.response(formatSyncToken(nextBatch));
  }
}

/**
 * A provider that sent only part of its window holds its stream's position in next_batch back to what it sent
 * (StreamContribution.positions), so the next sync continues from there; never past `to`.
 */
function holdBack(nextBatch: StreamPositions, contribution: StreamContribution): void {
  for (const [stream, position] of Object.entries(contribution.positions ?? {}) as Array<[keyof StreamPositions, number | undefined]>) {
    if (position !== undefined && position < nextBatch[stream]) nextBatch[stream] = position;
  }
}

/**
 * True when the response carries anything beyond its token: a long-poll keeps waiting otherwise. The builder
 * leaves out every part no provider contributed to, so any other key is news.
 */
export function hasContent(response: SyncResponse): boolean {
  return Object.keys(response).some((key) => key !== "next_batch");
}
