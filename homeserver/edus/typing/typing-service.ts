import type { CoreContext } from "../../core/core-context.js";
import { errors } from "../../errors.js";
import type { EventPersister } from "../../rooms/persist/event-persister.js";
import type { Requester } from "../../users/requester.js";
import type { FederationOutbox } from "../edu-contracts.js";
import { serverOf } from "../presence/shared-rooms.js";
import { TypingRooms } from "./typing-rooms.js";

const DEFAULT_TIMEOUT_MS = 30_000;
/** Synapse's cap: a client cannot keep someone "typing" for long without renewing it. */
export const MAX_TIMEOUT_MS = 120_000;
/** Remote typing ends this long after the last EDU that started or renewed it (Synapse's FEDERATION_TIMEOUT). */
export const FEDERATION_TYPING_TIMEOUT_MS = 60_000;
/** Our users still typing are re-announced this often, before peers time them out. */
export const FEDERATION_PING_INTERVAL_MS = 40_000;
const FORGET_EMPTY_ROOMS_MS = 10 * 60_000;

const memberKey = (roomId: string, userId: string) => `${roomId}\u0000${userId}`;

/**
 * Typing notifications: in memory only, with the server expiring them. One timer, set for the earliest
 * moment anything is due, calls `expire()`; tests call it themselves after moving a fake clock.
 */
export class TypingService {
  readonly rooms = new TypingRooms();
  /** When each of our typing users was last announced to other servers. */
  private readonly lastAnnounced = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt: number | undefined;
  private stopped = false;

  constructor(
    private readonly core: CoreContext,
    private readonly persister: EventPersister,
    private readonly outbox: FederationOutbox,
    /** Typing is an action for presence (it makes the user active). */
    private readonly onAction: (userId: string) => void = () => {},
  ) {}

  /** PUT /rooms/{roomId}/typing/{userId}. */
  async setTyping(requester: Requester, roomId: string, userId: string, typing: boolean, timeoutMs?: number): Promise<void> {
    if (requester.userId !== userId) throw errors.forbidden("You can only set your own typing state");
    const memory = await this.persister.roomMemory(roomId);
    if (memory?.membershipOf(userId) !== "join") throw errors.forbidden("You are not joined to this room");
    this.onAction(userId);
    const now = this.core.clock.now();
    const changed = typing
      ? this.rooms.start(roomId, userId, now + Math.min(Math.max(0, timeoutMs ?? DEFAULT_TIMEOUT_MS), MAX_TIMEOUT_MS))
      : this.rooms.stop(roomId, userId, now);
    if (changed) {
      this.publish(roomId);
      await this.announce(roomId, userId, typing);
    }
    this.schedule();
  }

  /** An m.typing EDU from `origin`: only about its own users, in rooms they are joined to as far as we know. */
  async receiveEdu(origin: string, content: Record<string, unknown>): Promise<void> {
    const { room_id: roomId, user_id: userId, typing } = content;
    if (typeof roomId !== "string" || typeof userId !== "string" || typeof typing !== "boolean") {
      throw errors.badJson("m.typing needs room_id, user_id and typing");
    }
    if (serverOf(userId) !== origin) throw errors.forbidden(`${origin} cannot send typing for ${userId}`);
    const memory = await this.persister.roomMemory(roomId);
    if (memory?.membershipOf(userId) !== "join") throw errors.forbidden(`${userId} is not joined to ${roomId}`);
    const now = this.core.clock.now();
    const changed = typing ? this.rooms.start(roomId, userId, now + FEDERATION_TYPING_TIMEOUT_MS) : this.rooms.stop(roomId, userId, now);
    if (changed) this.publish(roomId);
    this.schedule();
  }

  /** Ends typing that has run out, and re-announces our users who are still typing before peers time them out. */
  async expire(): Promise<void> {
    const now = this.core.clock.now();
    const announcements: Array<Promise<void>> = [];
    for (const { roomId, userId } of this.rooms.due(now)) {
      if (!this.rooms.stop(roomId, userId, now)) continue;
      this.publish(roomId);
      announcements.push(this.announce(roomId, userId, false));
    }
    for (const { roomId, userId } of this.rooms.typing()) {
      const last = this.lastAnnounced.get(memberKey(roomId, userId));
      if (last !== undefined && last + FEDERATION_PING_INTERVAL_MS <= now) announcements.push(this.announce(roomId, userId, true));
    }
    this.rooms.forgetEmptySince(now - FORGET_EMPTY_ROOMS_MS);
    this.schedule();
    await Promise.all(announcements);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Typing lives in memory, so the position is published at once; waiters in the room wake. */
  private publish(roomId: string): void {
    const stream = this.core.streams.typing;
    const position = stream.allocate();
    this.rooms.markChanged(roomId, position);
    stream.finish(position, () => this.core.notifier.onNew("typing", position, { rooms: [roomId] }));
  }

  /** Tells the room's other servers about one of our users (theirs announce their own). */
  private async announce(roomId: string, userId: string, typing: boolean): Promise<void> {
    if (serverOf(userId) !== this.core.serverName) return;
    const key = memberKey(roomId, userId);
    if (typing) this.lastAnnounced.set(key, this.core.clock.now());
    else this.lastAnnounced.delete(key);
    try {
      const memory = await this.persister.roomMemory(roomId);
      if (!memory) return;
      this.outbox.sendEdu(memory.joinedServers(this.core.serverName), { edu_type: "m.typing", content: { room_id: roomId, user_id: userId, typing } }, `m.typing\u0000${key}`);
    } catch (error) {
      this.core.logger.warn({ roomId, err: (error as Error).message }, "could not announce typing");
    }
  }

  private nextWake(): number | undefined {
    let next = this.rooms.nextDeadline();
    for (const last of this.lastAnnounced.values()) {
      const ping = last + FEDERATION_PING_INTERVAL_MS;
      if (next === undefined || ping < next) next = ping;
    }
    return next;
  }

  private schedule(): void {
    if (this.stopped) return;
    const next = this.nextWake();
    if (next === undefined || (this.timer && this.timerAt !== undefined && this.timerAt <= next)) return;
    clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = undefined;
      this.expire().catch((error: Error) => this.core.logger.warn({ err: error.message }, "typing expiry failed"));
    }, Math.max(0, next - this.core.clock.now()));
    this.timer.unref();
  }
}
