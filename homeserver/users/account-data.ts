import type { CoreContext } from "../core/core-context.js";
import { MatrixError, errors } from "../errors.js";
import { hasNul, requireStorable } from "./text.js";
import { GLOBAL_ROOM, type AccountDataStore } from "../storage/stores/account-data-store.js";

export interface AccountDataEvent {
  type: string;
  content: Record<string, unknown>;
}

export interface AccountDataChanges {
  global: AccountDataEvent[];
  rooms: Map<string, AccountDataEvent[]>;
}

/** Types the server maintains through their own APIs (read markers, push rules); clients may not PUT them. */
const SERVER_CONTROLLED_TYPES = new Set(["m.fully_read", "m.push_rules"]);
export const TAG_TYPE = "m.tag";
const MAX_TAG_BYTES = 255;

/**
 * Global and per-room account data, and room tags (kept as the room's `m.tag` account data so they reach
 * sync like any other room account data). Every write takes a position on the account-data stream.
 */
export class AccountDataService {
  /** Committed writes whose position is not yet published: the users to wake once it is. */
  private readonly awaitingPublish = new Map<number, string>();

  constructor(
    private readonly core: CoreContext,
    private readonly store: AccountDataStore,
  ) {
    // Also catches publications caused by other writers of the stream finishing an earlier position.
    core.streams.accountData.onPublish(() => this.wakePublished());
  }

  async get(userId: string, roomId: string | null, type: string): Promise<Record<string, unknown> | undefined> {
    if (hasNul(type) || (roomId !== null && hasNul(roomId))) return undefined;
    const content = await this.store.get(userId, roomId ?? GLOBAL_ROOM, type);
    return content === undefined ? undefined : (JSON.parse(content) as Record<string, unknown>);
  }

  /** A client's PUT: refuses the server-controlled types with the spec's 405 M_BAD_JSON. */
  async setFromClient(userId: string, roomId: string | null, type: string, content: Record<string, unknown>): Promise<void> {
    if (SERVER_CONTROLLED_TYPES.has(type)) {
      throw new MatrixError("M_BAD_JSON", `Cannot set ${type} through this API`, 405);
    }
    await this.set(userId, roomId, type, content);
  }

  /** Any type, for other parts of the server (read markers write m.fully_read, push rules m.push_rules). */
  async set(userId: string, roomId: string | null, type: string, content: Record<string, unknown>): Promise<void> {
    await this.write(userId, roomId, type, () => content);
  }

  /** A read-modify-write of one type under the user's lock (push rules change one rule of the whole set). */
  async update(
    userId: string,
    roomId: string | null,
    type: string,
    change: (current: Record<string, unknown> | undefined) => Record<string, unknown>,
  ): Promise<void> {
    await this.write(userId, roomId, type, change);
  }

  async getTags(userId: string, roomId: string): Promise<Record<string, Record<string, unknown>>> {
    return tagsOf(await this.get(userId, roomId, TAG_TYPE));
  }

  async putTag(userId: string, roomId: string, tag: string, content: Record<string, unknown>): Promise<void> {
    if (Buffer.byteLength(tag, "utf8") > MAX_TAG_BYTES) throw errors.invalidParam(`Tag is too long (max ${MAX_TAG_BYTES} bytes)`);
    await this.write(userId, roomId, TAG_TYPE, (current) => ({ tags: { ...tagsOf(current), [tag]: content } }));
  }

  async deleteTag(userId: string, roomId: string, tag: string): Promise<void> {
    await this.write(userId, roomId, TAG_TYPE, (current) => {
      const tags = tagsOf(current);
      delete tags[tag];
      return { tags };
    });
  }

  /**
   * What sync sends: each (room, type) written after `fromPos` up to and including `toPos`, with its latest
   * content. `fromPos` 0 gives everything (initial sync). `toPos` should be the published position the
   * sync token will carry, so a write in flight is picked up by the next sync rather than lost.
   */
  async changesSince(userId: string, fromPos: number, toPos: number): Promise<AccountDataChanges> {
    const changes: AccountDataChanges = { global: [], rooms: new Map() };
    for (const row of await this.store.changesSince(userId, fromPos, toPos)) {
      const event = { type: row.type, content: JSON.parse(row.content) as Record<string, unknown> };
      if (row.roomId === GLOBAL_ROOM) {
        changes.global.push(event);
      } else {
        let list = changes.rooms.get(row.roomId);
        if (!list) changes.rooms.set(row.roomId, (list = []));
        list.push(event);
      }
    }
    return changes;
  }

  /**
   * One write: lock the user's account data, read-modify-write, stamp a new stream position. The position
   * is taken after the lock so concurrent writers of one user get positions in commit order.
   */
  private async write(
    userId: string,
    roomId: string | null,
    type: string,
    update: (current: Record<string, unknown> | undefined) => Record<string, unknown>,
  ): Promise<void> {
    requireStorable(type, "Account data type");
    if (roomId !== null) requireStorable(roomId, "Room ID");
    const publisher = this.core.streams.accountData;
    let position: number | undefined;
    try {
      await this.core.database.transaction(async (tx) => {
        await this.store.lockUser(tx, userId);
        const currentJson = await this.store.get(userId, roomId ?? GLOBAL_ROOM, type, tx);
        const content = update(currentJson === undefined ? undefined : (JSON.parse(currentJson) as Record<string, unknown>));
        position = publisher.allocate();
        await this.store.put(tx, { userId, roomId: roomId ?? GLOBAL_ROOM, type, content: JSON.stringify(content), streamPos: position });
        const committed = position;
        this.core.database.onCommit(tx, () => this.awaitingPublish.set(committed, userId));
      });
    } finally {
      // Committed or rolled back, the position must stop holding back readers; publishing wakes the user.
      if (position !== undefined) publisher.finish(position);
    }
  }

  /**
   * Wakes the owners of every committed write the publisher now exposes. A write that commits while an
   * earlier position is still in flight is only published later, when that earlier one finishes; waking
   * its user then (not at its own commit) means their sync is not left waiting until its timeout.
   */
  private wakePublished(): void {
    const published = this.core.streams.accountData.current;
    const users = new Set<string>();
    for (const [position, userId] of this.awaitingPublish) {
      if (position > published) continue;
      users.add(userId);
      this.awaitingPublish.delete(position);
    }
    if (users.size > 0) this.core.notifier.onNew("accountData", published, { users });
  }
}

function tagsOf(content: Record<string, unknown> | undefined): Record<string, Record<string, unknown>> {
  const tags = content?.tags;
  if (typeof tags !== "object" || tags === null || Array.isArray(tags)) return {};
  return { ...(tags as Record<string, Record<string, unknown>>) };
}
