import type { Clock } from "../../core/clock.js";
import { errors } from "../../errors.js";
import type { ReportsStore } from "../../storage/stores/reports-store.js";
import type { UserStore } from "../../storage/stores/user-store.js";
import type { Requester } from "../../users/requester.js";
import { parseUserId } from "../../users/user-ids.js";
import type { RoomAccessChecker } from "../room-access.js";
import type { RoomStateReader } from "../room-state-reader.js";
import { roomIdOf } from "../timeline-reads.js";

/** Synapse's bound on a user report's reason; longer ones are refused rather than stored. */
export const MAX_USER_REPORT_REASON = 1000;

export interface EventReport {
  reason?: string;
  /** Removed from the spec in v1.18; still accepted (and kept) because older clients send it. */
  score?: number;
}

/**
 * Reports of events, rooms and users, stored for the server's operators. As Synapse does, an event the
 * reporter cannot see (unknown, in another room, hidden by history visibility, or redacted) is 404, and a
 * report of a user who is not ours or does not exist is accepted without being stored, so that reporting
 * does not reveal who exists.
 */
export class ReportService {
  constructor(
    private readonly deps: {
      serverName: string;
      clock: Clock;
      reports: ReportsStore;
      users: Pick<UserStore, "get">;
      reader: RoomStateReader;
      access: RoomAccessChecker;
    },
  ) {}

  async reportEvent(requester: Requester, roomId: string, eventId: string, report: EventReport): Promise<void> {
    if (!(await this.canSee(requester.userId, roomId, eventId))) {
      throw errors.notFound("Unable to report event: it does not exist or you aren't able to see it.");
    }
    await this.deps.reports.insert({
      kind: "event",
      reporter: requester.userId,
      roomId,
      eventId,
      reason: report.reason,
      score: report.score,
      receivedTs: this.deps.clock.now(),
    });
  }

  /** The reporter need not be in the room (the spec); the room must be known here. */
  async reportRoom(requester: Requester, roomId: string, reason: string): Promise<void> {
    if (!(await this.deps.reader.roomVersion(roomId))) throw errors.notFound("Room does not exist");
    await this.deps.reports.insert({ kind: "room", reporter: requester.userId, roomId, reason, receivedTs: this.deps.clock.now() });
  }

  async reportUser(requester: Requester, userId: string, reason: string): Promise<void> {
    const parsed = parseUserId(userId);
    if (!parsed) throw errors.invalidParam("Invalid user ID");
    if (reason.length > MAX_USER_REPORT_REASON) throw errors.badJson(`Reason must be at most ${MAX_USER_REPORT_REASON} characters`);
    if (parsed.serverName !== this.deps.serverName) return;
    if (!(await this.deps.users.get(userId))) return;
    await this.deps.reports.insert({ kind: "user", reporter: requester.userId, targetUserId: userId, reason, receivedTs: this.deps.clock.now() });
  }

  private async canSee(userId: string, roomId: string, eventId: string): Promise<boolean> {
    const event = await this.deps.reader.events.get(eventId);
    if (!event || roomIdOf(event) !== roomId || event.redactedBy) return false;
    const access = await this.deps.access.resolve(userId, roomId);
    if (!access) return false;
    return (await this.deps.access.visibilityFilter.filter([event], access.viewer)).length > 0;
  }
}
