import type { Ruleset } from "../../users/push-rules/push-rule.js";
import { userPowerLevel } from "../../events/auth-rules/power-levels.js";
import { MAIN_THREAD, type PushActionRow } from "../../storage/stores/push-actions-store.js";
import type { AcceptedEvent } from "../persist/accepted-event.js";
import type { RoomMemory } from "../persist/room-memory.js";
import type { EventContext } from "./conditions.js";
import { evaluateRules } from "./evaluate-rules.js";
import type { IgnoredUsers } from "../../users/ignored/ignored-users.js";

/** The rulesets of many users at once (a message into a big room needs every member's). */
export interface RulesetSource {
  rulesetsFor(userIds: readonly string[]): Promise<ReadonlyMap<string, Ruleset>>;
}

/** The thread an event we hold belongs to, for an event that relates to it (a reaction or edit in a thread). */
export interface ThreadLookup {
  threadOf(eventId: string): Promise<string | undefined>;
}

export interface PushEvaluatorDeps {
  serverName: string;
  rules: RulesetSource;
  threads: ThreadLookup;
  /** A user is not notified of the non-state events of users they ignore (Synapse skips them likewise). */
  ignored: Pick<IgnoredUsers, "ignoredByEach">;
}

/** A batch's push actions, for the write that stores them with the events. */
export type PushActionsOf = (memory: RoomMemory, events: readonly AcceptedEvent[], positions: readonly number[], now: number) => Promise<PushActionRow[]>;

/**
 * Push rules applied to a batch of a room's new timeline events, once per event for every local member (the
 * sender excepted), before the batch is written: the rows go into the batch's own transaction, so the
 * notification count of an event is in the same /sync response as the event, as the spec requires. It reads
 * only the room's memory (members, display names, power levels) and the members' rulesets.
 */
export class PushEvaluator {
  constructor(private readonly deps: PushEvaluatorDeps) {}

  readonly rowsFor: PushActionsOf = async (memory, events, positions, now) => {
    const live = events.flatMap((e, i) => (e.placement.kind === "timeline" ? [{ event: e, position: positions[i] }] : []));
    if (live.length === 0) return [];
    const members = memory.joinedMembersOf(this.deps.serverName);
    const invitees = live.flatMap(({ event }) => (isLocalInvite(event, this.deps.serverName) ? [event.pdu.state_key!] : []));
    // Nobody to notify but the senders themselves (a room of one): no rules to load.
    if (invitees.length === 0 && members.every((m) => live.every(({ event }) => event.pdu.sender === m))) return [];
    const recipientIds = [...new Set([...members, ...invitees])];
    const [rulesets, ignoring] = await Promise.all([this.deps.rules.rulesetsFor(recipientIds), this.deps.ignored.ignoredByEach(recipientIds)]);
    const memberCount = memory.joinedCount();
    const powerLevels = memory.stateEvent("m.room.power_levels")?.content;
    const notifications = (powerLevels?.notifications ?? {}) as Record<string, unknown>;
    const rows: PushActionRow[] = [];
    for (const { event, position } of live) {
      const { pdu } = event;
      const sender = pdu.sender;
      const content = pdu.content as Record<string, unknown>;
      const ctx: EventContext = {
        event: pdu as unknown as Record<string, unknown>,
        body: typeof content.body === "string" ? content.body : undefined,
        memberCount,
        senderPower: userPowerLevel(sender, memory.lookup, memory.version),
        notificationPower: (key) => (typeof notifications[key] === "number" ? (notifications[key] as number) : 50),
      };
      const hasMentions = Object.prototype.hasOwnProperty.call(content, "m.mentions");
      const threadId = await this.threadOf(content);
      const recipients = isLocalInvite(event, this.deps.serverName) && !members.includes(pdu.state_key!) ? [...members, pdu.state_key!] : members;
      for (const userId of recipients) {
        if (userId === sender || (pdu.state_key === undefined && ignoring.get(userId)?.has(sender))) continue;
        const ruleset = rulesets.get(userId);
        if (!ruleset) continue;
        const member = memory.stateEvent("m.room.member", userId)?.content;
        const displayName = typeof member?.displayname === "string" ? member.displayname : undefined;
        const outcome = evaluateRules(ruleset, ctx, { userId, displayName }, hasMentions);
        if (!outcome?.notify) continue;
        rows.push({ userId, streamPos: position, roomId: memory.roomId, eventId: pdu.event_id, threadId, highlight: outcome.highlight, actions: JSON.stringify(outcome.actions), ts: now });
      }
    }
    return rows;
  };

  /** The spec's thread partition: an m.thread relation names the root; another relation takes its parent's thread (one hop). */
  private async threadOf(content: Record<string, unknown>): Promise<string> {
    const relation = content["m.relates_to"];
    if (typeof relation !== "object" || relation === null) return MAIN_THREAD;
    const { rel_type: relType, event_id: parent } = relation as Record<string, unknown>;
    if (typeof parent !== "string") return MAIN_THREAD;
    if (relType === "m.thread") return parent;
    return (await this.deps.threads.threadOf(parent)) ?? MAIN_THREAD;
  }
}

function isLocalInvite({ pdu }: AcceptedEvent, serverName: string): boolean {
  return pdu.type === "m.room.member" && pdu.content.membership === "invite" && typeof pdu.state_key === "string" && pdu.state_key.endsWith(`:${serverName}`);
}
