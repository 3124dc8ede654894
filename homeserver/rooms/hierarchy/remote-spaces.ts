import type { Clock } from "../../core/clock.js";
import type { Logger } from "../../core/logger.js";
import { LruCache } from "../../core/lru-cache.js";
import { isValidServerName } from "../../server-name.js";
import { checkRemoteSpace, type RemoteHierarchy, type RemoteSpace } from "./remote-hierarchy.js";

/** Synapse asks at most three of a child's servers; a dead `via` list must not stall the client's request. */
const MAX_SERVERS_PER_ROOM = 3;
/** The spec asks for answers to be cached a while: a client paging through a space asks for the same rooms again. */
const CACHE_LIFETIME_MS = 60_000;
const CACHE_ENTRIES = 1_000;

/** Spaces held by other servers, asked for through the `via` of the link that led to them. */
export class RemoteSpaces {
  private readonly cache = new LruCache<string, { space: RemoteSpace; at: number }>(CACHE_ENTRIES);

  constructor(
    private readonly serverName: string,
    private readonly clock: Clock,
    private readonly logger: Pick<Logger, "info">,
    private remote?: RemoteHierarchy,
  ) {}

  use(remote: RemoteHierarchy): void {
    this.remote = remote;
  }

  /** The first good answer from up to three of `via`; undefined when none gives one (the room is then left out). */
  async fetch(roomId: string, via: readonly string[], suggestedOnly: boolean): Promise<RemoteSpace | undefined> {
    const key = `${suggestedOnly}\u0000${roomId}`;
    const cached = this.cache.get(key);
    if (cached && this.clock.now() - cached.at < CACHE_LIFETIME_MS) return cached.space;
    if (!this.remote) return undefined;
    // A via that is not a server name (anyone may write one into a space) is never looked up.
    const servers = [...new Set(via)].filter((server) => server !== this.serverName && isValidServerName(server)).slice(0, MAX_SERVERS_PER_ROOM);
    for (const server of servers) {
      try {
        const space = checkRemoteSpace(await this.remote.hierarchy(server, roomId, suggestedOnly), roomId, suggestedOnly);
        if (space) {
          this.cache.set(key, { space, at: this.clock.now() });
          return space;
        }
        this.logger.info({ roomId, server }, "hierarchy answer was not a valid one");
      } catch (error) {
        this.logger.info({ roomId, server, err: (error as Error).message }, "could not get a room's hierarchy over federation");
      }
    }
    return undefined;
  }
}
