import { Direction, type MatrixClient } from "matrix-js-sdk";
import type { ClientEvent } from "./sync-types.js";

export interface BackPaginationOptions {
  /** Token to start from; null = from the end of the room (the spec allows omitting `from`). */
  from?: string | null;
  pageSize?: number;
  /** Stop after the page holding an event for which this is true (that event is included). */
  stopAt?: (event: ClientEvent) => boolean;
}

export interface BackPagination {
  /** Events newest first, as /messages with dir=b returns them. */
  newestFirst: ClientEvent[];
  pages: number;
  /** Largest chunk one page returned, to check it against the requested limit. */
  largestPage: number;
}

const maxPages = 10_000;

/** Pages GET /rooms/{roomId}/messages with dir=b until the server says there is no more (no `end`). */
export async function paginateBackwards(
  client: MatrixClient,
  roomId: string,
  options: BackPaginationOptions = {},
): Promise<BackPagination> {
  const pageSize = options.pageSize ?? 100;
  const newestFirst: ClientEvent[] = [];
  let from = options.from ?? null;
  let pages = 0;
  let largestPage = 0;
  while (pages < maxPages) {
    const page = await client.createMessagesRequest(roomId, from, pageSize, Direction.Backward);
    pages += 1;
    const chunk = page.chunk as unknown as ClientEvent[];
    largestPage = Math.max(largestPage, chunk.length);
    newestFirst.push(...chunk);
    if (options.stopAt && chunk.some(options.stopAt)) break;
    // The spec: `end` is omitted when there are no further events.
    if (!page.end || chunk.length === 0) break;
    if (page.end === from) throw new Error(`/messages returned the same token it was given (${from}): it would loop`);
    from = page.end;
  }
  if (pages >= maxPages) throw new Error(`/messages did not reach the start of ${roomId} in ${maxPages} pages`);
  return { newestFirst, pages, largestPage };
}

/** The whole visible history of a room, oldest first. */
export async function roomHistory(client: MatrixClient, roomId: string, pageSize = 100): Promise<ClientEvent[]> {
  const { newestFirst } = await paginateBackwards(client, roomId, { pageSize });
  return newestFirst.reverse();
}
