import type { CoreContext } from "../../core/core-context.js";
import { errors } from "../../errors.js";
import type { Requester } from "../../users/requester.js";
import { PRESENCE_VALUES, type PresenceContent, type PresenceValue } from "../../../schemas/client/presence/presence-content.js";
import type { FederationOutbox } from "../edu-contracts.js";
import { PresenceChangeLog } from "./presence-change-log.js";
import { newPresence, presenceContent, snapshotOf, worthPublishing, type UserPresence } from "./presence-state.js";
import { serverOf, type SharedRooms } from "./shared-rooms.js";

/** How often timeouts are checked (Synapse checks every 5 s too). */
const SWEEP_INTERVAL_MS = 5_000;
/** Our users' presence is re-sent this often so peers do not time it out (Synapse's values). */
export const FEDERATION_PING_INTERVAL_MS = 25 * 60_000;
/** A remote user whose server has said nothing for this long is taken as offline. */
export const FEDERATION_TIMEOUT_MS = 30 * 60_000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Presence, in memory: after a restart each client's next sync brings its user back online and peers' next
 * updates restore theirs (status messages are not kept across a restart). Local users move online -> unavailable -> offline by timeouts (`sweep`, run by an interval and
 * callable from tests with a fake clock); remote users are what their server last said, until it goes quiet.
 * Every published change gets a presence-stream position and wakes the users who share a room.
 */
export class PresenceService {
  private readonly states = new Map<string, UserPresence>();
  /** Users not offline: the only ones timeouts can change. */
  private readonly live = new Set<string>();
  readonly changes = new PresenceChangeLog();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly core: CoreContext,
    private readonly shared: SharedRooms,
    private readonly outbox: FederationOutbox,
  ) {}

  get enabled(): boolean {
    return this.core.config.presence.enabled;
  }

  /** PUT /presence/{userId}/status: an action, unless it sets unavailable or offline. Ignored when presence is off. */
  async setFromClient(requester: Requester, userId: string, presence: PresenceValue, statusMsg: string | undefined): Promise<void> {
    if (requester.userId !== userId) throw errors.forbidden("You can only set your own presence");
    if (!this.enabled) return;
    const now = this.core.clock.now();
    await this.update(userId, (state) => {
      state.presence = presence;
      state.statusMsg = statusMsg === "" ? undefined : statusMsg;
      state.lastSeenTs = Math.max(state.lastSeenTs, now);
      if (presence === "online") state.lastActiveTs = now;
    });
  }

  /** GET /presence/{userId}/status: for oneself, or a user one shares a joined room with (Synapse answers 403 otherwise). */
  async getFor(requester: Requester, userId: string): Promise<PresenceContent> {
    if (!this.enabled) return { presence: "offline" };
    if (requester.userId !== userId && !(await this.shared.sharesRoom(requester.userId, userId))) {
      throw errors.forbidden("You are not allowed to see their presence");
    }
    const state = this.states.get(userId);
    return state ? this.contentOf(state, this.core.clock.now()) : { presence: "offline" };
  }

  /**
   * A sync request: the user is present while it may run. It brings an offline user online (that counts as an
   * action), or makes them unavailable if the client asks; it does not undo idleness, which only an action does.
   * "offline" means the client does not touch presence at all.
   */
  async syncing(userId: string, setPresence: PresenceValue | undefined): Promise<void> {
    if (!this.enabled || setPresence === "offline") return;
    const now = this.core.clock.now();
    await this.update(userId, (state) => {
      state.lastSeenTs = Math.max(state.lastSeenTs, now + this.core.config.sync.max_timeout_ms);
      if (setPresence === "unavailable") {
        state.presence = "unavailable";
      } else if (state.presence === "offline") {
        state.presence = "online";
        state.lastActiveTs = now;
      }
    });
  }

  /** The user did something (typing calls this; Synapse also counts sends and receipts): active now, and online again if idle. */
  async markActive(userId: string): Promise<void> {
    if (!this.enabled || serverOf(userId) !== this.core.serverName) return;
    const now = this.core.clock.now();
    await this.update(userId, (state) => {
      state.lastActiveTs = now;
      state.lastSeenTs = Math.max(state.lastSeenTs, now);
      if (state.presence === "unavailable") state.presence = "online";
    });
  }

  /**
   * An m.presence EDU: entries about users of other servers than `origin`, or about users we share no room
   * with, are refused (the rest of the EDU still counts); the refusal is reported by throwing at the end.
   */
  async receiveEdu(origin: string, content: Record<string, unknown>): Promise<void> {
    if (!this.enabled) return;
    const push = Array.isArray(content.push) ? content.push : [];
    const refused: string[] = [];
    for (const entry of push) {
      const userId = isObject(entry) && typeof entry.user_id === "string" ? entry.user_id : undefined;
      const presence = isObject(entry) ? (PRESENCE_VALUES as readonly unknown[]).find((p) => p === entry.presence) : undefined;
      if (!isObject(entry) || !userId || presence === undefined) {
        refused.push(String(userId ?? "malformed entry"));
        continue;
      }
      if (serverOf(userId) !== origin || (await this.shared.joinedRooms(userId)).length === 0) {
        refused.push(userId);
        continue;
      }
      const now = this.core.clock.now();
      const ago = entry.last_active_ago;
      await this.update(userId, (state) => {
        state.presence = presence as PresenceValue;
        state.statusMsg = typeof entry.status_msg === "string" && entry.status_msg !== "" ? entry.status_msg : undefined;
        if (typeof ago === "number" && Number.isFinite(ago) && ago >= 0) state.lastActiveTs = now - ago;
        state.remoteCurrentlyActive = entry.currently_active === true;
        state.lastFederationTs = now;
      });
    }
    if (refused.length > 0) throw errors.forbidden(`m.presence from ${origin} refused for ${refused.join(", ")}`);
  }

  /** Applies the timeouts as of the clock's now; publishes what changed and re-sends pings to peers. */
  async sweep(): Promise<void> {
    const now = this.core.clock.now();
    const { idle_timeout_ms: idle, sync_online_timeout_ms: gone } = this.core.config.presence;
    const work: Array<Promise<void>> = [];
    for (const userId of [...this.live]) {
      const state = this.states.get(userId)!;
      if (state.local) {
        const positionBefore = state.streamPos;
        work.push(
          this.update(userId, (s) => {
            if (s.presence === "online" && s.lastActiveTs !== undefined && now - s.lastActiveTs > idle) s.presence = "unavailable";
            if (now - s.lastSeenTs > gone) s.presence = "offline";
          }),
        );
        // A published change has just been sent; otherwise a user who stays present is re-sent now and then.
        const published = state.streamPos !== positionBefore;
        if (!published && state.presence !== "offline" && now - state.lastFederationTs > FEDERATION_PING_INTERVAL_MS) {
          work.push(this.tellOtherServers(state));
        }
      } else if (now - state.lastFederationTs > FEDERATION_TIMEOUT_MS) {
        work.push(this.update(userId, (s) => void (s.presence = "offline")));
      }
    }
    await Promise.all(work);
  }

  start(): void {
    if (!this.enabled || this.sweeper) return;
    this.sweeper = setInterval(() => {
      this.sweep().catch((error: Error) => this.core.logger.warn({ err: error.message }, "presence sweep failed"));
    }, SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  stop(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /** For an initial sync: everyone known, except the offline ones without a status (Synapse leaves those out too). */
  initialCandidates(): string[] {
    return [...this.states.values()].filter(worthShowing).map((s) => s.userId);
  }

  /** Whether an initial sync would show this user's presence. */
  isWorthShowing(userId: string): boolean {
    const state = this.states.get(userId);
    return state !== undefined && worthShowing(state);
  }

  /** Users whose presence changed in (since, to]. */
  changedBetween(since: number, to: number): string[] {
    const logged = this.changes.changedBetween(since, to);
    if (logged) return [...logged];
    return [...this.states.values()].filter((s) => s.streamPos > since && s.streamPos <= to).map((s) => s.userId);
  }

  contentFor(userId: string, now: number): PresenceContent {
    const state = this.states.get(userId);
    return state ? this.contentOf(state, now) : { presence: "offline" };
  }

  private contentOf(state: UserPresence, now: number): PresenceContent {
    return presenceContent(state, now, this.core.config.presence.last_active_granularity_ms);
  }

  /** Changes one user's state in one synchronous step, and publishes it if it is news. */
  private update(userId: string, change: (state: UserPresence) => void): Promise<void> {
    const now = this.core.clock.now();
    let state = this.states.get(userId);
    if (!state) this.states.set(userId, (state = newPresence(userId, serverOf(userId) === this.core.serverName)));
    change(state);
    if (state.presence === "offline") this.live.delete(userId);
    else this.live.add(userId);
    const granularity = this.core.config.presence.last_active_granularity_ms;
    const next = snapshotOf(state, now, granularity);
    if (!worthPublishing(state.published, next, granularity)) return Promise.resolve();
    const position = this.core.streams.presence.allocate();
    state.streamPos = position;
    state.published = next;
    this.changes.add(position, userId);
    return this.announce(state, position);
  }

  /**
   * Publishes the position once the user's rooms are known (sync decides who may see the change from them),
   * wakes the syncs of everyone in those rooms, and sends our users' changes to the rooms' other servers.
   */
  private async announce(state: UserPresence, position: number): Promise<void> {
    const stream = this.core.streams.presence;
    let rooms: string[] | undefined;
    try {
      rooms = await this.shared.joinedRooms(state.userId);
      state.rooms = rooms;
    } catch (error) {
      this.core.logger.warn({ userId: state.userId, err: (error as Error).message }, "could not find the rooms to announce presence to");
    } finally {
      // Published either way, or the stream would stall; the change then shows where the user was known to be.
      stream.finish(position, () => this.core.notifier.onNew("presence", position, { rooms: rooms ?? state.rooms, users: [state.userId] }));
    }
    if (rooms && state.local) await this.tellOtherServers(state, rooms);
  }

  /** Sends `destinations` the current presence of those of our `users` an initial sync would show. */
  sendTo(destinations: Iterable<string>, users: readonly string[]): void {
    const targets = [...destinations];
    if (!this.enabled || targets.length === 0) return;
    const now = this.core.clock.now();
    for (const userId of users) {
      const state = this.states.get(userId);
      if (!state || !state.local || !worthShowing(state)) continue;
      const push = { user_id: userId, ...this.contentOf(state, now) };
      this.outbox.sendEdu(targets, { edu_type: "m.presence", content: { push: [push] } }, `m.presence\u0000${userId}`);
    }
  }

  private async tellOtherServers(state: UserPresence, knownRooms?: string[]): Promise<void> {
    state.lastFederationTs = this.core.clock.now();
    try {
      const rooms = knownRooms ?? (state.rooms = await this.shared.joinedRooms(state.userId));
      const servers = await this.shared.serversIn(rooms, this.core.serverName);
      if (servers.size === 0) return;
      // Built when sent, from the current state: of two quick changes the later one always wins in the queue.
      const push = { user_id: state.userId, ...this.contentOf(state, this.core.clock.now()) };
      this.outbox.sendEdu(servers, { edu_type: "m.presence", content: { push: [push] } }, `m.presence\u0000${state.userId}`);
    } catch (error) {
      this.core.logger.warn({ userId: state.userId, err: (error as Error).message }, "could not send presence to other servers");
    }
  }

  /** The rooms the user was joined to when their presence last changed: where sync looks for who may see it. */
  roomsOf(userId: string): readonly string[] {
    return this.states.get(userId)?.rooms ?? [];
  }
}

function worthShowing(state: UserPresence): boolean {
  return state.presence !== "offline" || state.statusMsg !== undefined;
}
