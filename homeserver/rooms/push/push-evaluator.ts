import type { Ruleset } from "../../users/push-rules/push-rule.js";
import { userPowerLevel } from "../../events/auth-rules/power-levels.js";
import { MAIN_THREAD, type MemberSince, type OwnRead, type PushActionRow, type PushOutcomes, type RoomPushRow } from "../../storage/stores/push-actions-store.js";
import type { AcceptedEvent } from "../persist/accepted-event.js";
import type { RoomMemory } from "../persist/room-memory.js";
import type { EventContext } from "./conditions.js";
import { evaluateRules, type PushOutcome } from "./evaluate-rules.js";
import type { IgnoredUsers } from "../../users/ignored/ignored-users.js";
import { mayNameMember, memberNamesOf, namingFactsOf, sharedDefaultRuleset, type MemberNames, type NamingFacts } from "./shared-outcome.js";
import type { IdentifiedPdu } from "../../events/pdu.js";

/** Members' own rulesets; null for a member on the predefined rules alone (no push rules of their own). */
export interface RulesetSource {
  rulesetsFor(userIds: readonly string[]): Promise<ReadonlyMap<string, Ruleset | null>>;
  /** Moves whenever any user's rules may have changed (see AccountDataCache.generation). */
  readonly generation: number;
}

/** The thread an event we hold belongs to, for an event that relates to it (a reaction or edit in a thread). */
export interface ThreadLookup {
  threadOf(eventId: string): Promise<string | undefined>;
}

export interface PushEvaluatorDeps {
  serverName: string;
  rules: RulesetSource;
  /** The predefined rules for one user (their id in mentions and invites), for a member the event may name. */
  defaultRuleset(userId: string): Ruleset;
  threads: ThreadLookup;
  /** A user is not notified of the non-state events of users they ignore (Synapse skips them likewise). */
  ignored: Pick<IgnoredUsers, "ignoredByEach" | "generation">;
}

/**
 * What a room's members have of their own, kept per room between messages: only the members with push rules of
 * their own and those who ignore someone (in most rooms, none), valid while the members and both generations
 * stay the same.
 */
interface MembersSnapshot {
  members: readonly string[];
  rulesGeneration: number;
  ignoredGeneration: number;
  custom: ReadonlyMap<string, Ruleset>;
  ignoring: ReadonlyMap<string, ReadonlySet<string>>;
}

/** A batch's push outcomes, for the write that stores them with the events. */
export type PushActionsOf = (memory: RoomMemory, events: readonly AcceptedEvent[], positions: readonly number[], now: number) => Promise<PushOutcomes>;

/**
 * Push rules applied to a batch of a room's new timeline events for every local member (the sender excepted),
 * before the batch is written: the rows go into the batch's own transaction, so the notification count of an
 * event is in the same /sync response as the event, as the spec requires. It reads only the room's memory
 * (members, display names, power levels) and the members' rulesets.
 *
 * Most members of a big room are on the predefined rules and not named by a given message, and for all of them
 * the outcome is the same: it is evaluated once per event (the shared ruleset) and stored once (a room row).
 * Only members with rules of their own, members the event may name (a mention, their name in a legacy body,
 * an invite) and members ignoring the sender are evaluated one by one, and get a row of their own where their
 * outcome differs from the room's.
 */
export class PushEvaluator {
  private readonly shared: Ruleset;
  /** Members' lower-cased names by member event (an event never changes; a new one replaces it). */
  private readonly names = new WeakMap<IdentifiedPdu, MemberNames>();
  /** The members' set, by the memory's members array (the same array until the room's membership changes). */
  private readonly joinedSets = new WeakMap<readonly string[], ReadonlySet<string>>();
  private readonly snapshots = new WeakMap<RoomMemory, MembersSnapshot>();

  private readonly localSuffix: string;

  constructor(private readonly deps: PushEvaluatorDeps) {
    this.shared = sharedDefaultRuleset(deps.serverName);
    this.localSuffix = `:${deps.serverName}`;
  }

  readonly rowsFor: PushActionsOf = async (memory, events, positions, now) => {
    const live = events.flatMap((e, i) => (e.placement.kind === "timeline" ? [{ event: e, position: positions[i] }] : []));
    if (live.length === 0) return { room: [], own: [], joins: [], reads: [] };
    const threads: string[] = [];
    for (const { event } of live) threads.push(await this.threadOf(event.pdu.content as Record<string, unknown>));
    const outcomes = { room: [] as RoomPushRow[], own: [] as PushActionRow[], joins: this.joinsIn(memory, live), reads: this.ownReadsIn(memory, live, threads) };
    const members = memory.joinedMembersOf(this.deps.serverName);
    const invitees = live.flatMap(({ event }) => (isLocalInvite(event, this.deps.serverName) ? [event.pdu.state_key!] : []));
    // Nobody to notify but the senders themselves (a room of one): no rules to load.
    if (invitees.length === 0 && members.every((m) => live.every(({ event }) => event.pdu.sender === m))) return outcomes;
    const { custom, ignoring } = await this.ownOf(memory, members, invitees);
    const memberCount = memory.joinedCount();
    const powerLevels = memory.stateEvent("m.room.power_levels")?.content;
    const notifications = (powerLevels?.notifications ?? {}) as Record<string, unknown>;
    const memberEvents = memory.joinedMemberEventsOf(this.deps.serverName);
    const joined = this.joinedSetOf(members);
    for (const [k, { event, position }] of live.entries()) {
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
      const naming = namingFactsOf(pdu, hasMentions);
      const threadId = threads[k];
      const base = { streamPos: position, roomId: memory.roomId, eventId: pdu.event_id, threadId, ts: now };
      const roomOutcome = evaluateRules(this.shared, ctx, { userId: "", displayName: undefined }, hasMentions);
      const roomNotifies = roomOutcome?.notify === true;
      if (roomNotifies) outcomes.room.push({ ...base, sender, highlight: roomOutcome.highlight, actions: actionsJson(roomOutcome) });
      const invitee = isLocalInvite(event, this.deps.serverName) && !joined.has(pdu.state_key!) ? pdu.state_key! : undefined;
      // Everyone on the default rules and ignoring no one, and an event with m.mentions (as clients send today):
      // only the members it names can differ from the room row; nobody else need be looked at.
      const onlyNamed = custom.size === 0 && ignoring.size === 0 && naming.lowerBody === undefined && invitee === undefined;
      const recipients = onlyNamed ? namedMembers(naming, joined) : invitee !== undefined ? [...members, invitee] : members;
      for (let i = 0; i < recipients.length; i++) {
        const userId = recipients[i];
        if (userId === sender) continue;
        const memberEvent = !onlyNamed && i < members.length ? memberEvents[i] : memory.stateEvent("m.room.member", userId);
        const ruleset = custom.get(userId) ?? null;
        const ignoresSender = pdu.state_key === undefined && ignoring.get(userId)?.has(sender) === true;
        // The common case, decided without evaluating anything: a member on the default rules, not named.
        const names = naming.lowerBody === undefined ? undefined : this.namesOf(userId, memberEvent);
        if (ruleset === null && !ignoresSender && joined.has(userId) && !mayNameMember(naming, userId, names)) continue;
        const name = memberEvent?.content.displayname;
        const displayName = typeof name === "string" ? name : undefined;
        const own = ignoresSender ? undefined : evaluateRules(ruleset ?? this.deps.defaultRuleset(userId), ctx, { userId, displayName }, hasMentions);
        const notifies = own?.notify === true;
        if (!joined.has(userId)) {
          // An invitee: room rows are not theirs; they have a row only when notified.
          if (notifies) outcomes.own.push({ ...base, userId, notify: true, highlight: own.highlight, actions: actionsJson(own) });
          continue;
        }
        if (sameOutcome(own, roomOutcome)) continue;
        outcomes.own.push({ ...base, userId, notify: notifies, highlight: notifies && own.highlight, actions: notifies ? actionsJson(own) : "[]" });
      }
    }
    return outcomes;
  };

  /** The members' (and the batch's invitees') own rules and ignore lists, from the room's snapshot when it holds. */
  private async ownOf(memory: RoomMemory, members: readonly string[], invitees: readonly string[]): Promise<Pick<MembersSnapshot, "custom" | "ignoring">> {
    const { rules, ignored } = this.deps;
    let snapshot = this.snapshots.get(memory);
    if (!snapshot || snapshot.members !== members || snapshot.rulesGeneration !== rules.generation || snapshot.ignoredGeneration !== ignored.generation) {
      const rulesGeneration = rules.generation;
      const ignoredGeneration = ignored.generation;
      snapshot = { members, rulesGeneration, ignoredGeneration, ...(await this.readOwn(members)) };
      this.snapshots.set(memory, snapshot);
    }
    if (invitees.length === 0) return snapshot;
    const extra = await this.readOwn(invitees);
    return { custom: new Map([...snapshot.custom, ...extra.custom]), ignoring: new Map([...snapshot.ignoring, ...extra.ignoring]) };
  }

  private async readOwn(userIds: readonly string[]): Promise<Pick<MembersSnapshot, "custom" | "ignoring">> {
    const [rulesets, ignoring] = await Promise.all([this.deps.rules.rulesetsFor(userIds), this.deps.ignored.ignoredByEach(userIds)]);
    const custom = new Map<string, Ruleset>();
    for (const [userId, ruleset] of rulesets) if (ruleset !== null) custom.set(userId, ruleset);
    const ignoringSomeone = new Map<string, ReadonlySet<string>>();
    for (const [userId, users] of ignoring) if (users.size > 0) ignoringSomeone.set(userId, users);
    return { custom, ignoring: ignoringSomeone };
  }

  private namesOf(userId: string, memberEvent: IdentifiedPdu | undefined): MemberNames {
    if (!memberEvent) return memberNamesOf(userId, undefined);
    let names = this.names.get(memberEvent);
    if (!names) this.names.set(memberEvent, (names = memberNamesOf(userId, memberEvent)));
    return names;
  }

  private joinedSetOf(members: readonly string[]): ReadonlySet<string> {
    let set = this.joinedSets.get(members);
    if (!set) this.joinedSets.set(members, (set = new Set(members)));
    return set;
  }

  /**
   * Sending an event marks what came before it in its thread as read (the spec's "by sending an event"): each
   * local sender's latest event per thread in the batch.
   */
  private ownReadsIn(memory: RoomMemory, live: ReadonlyArray<{ event: AcceptedEvent; position: number }>, threads: readonly string[]): OwnRead[] {
    const reads = new Map<string, OwnRead>();
    for (const [k, { event, position }] of live.entries()) {
      const userId = event.pdu.sender;
      if (userId.endsWith(this.localSuffix)) reads.set(`${userId}\u0000${threads[k]}`, { userId, roomId: memory.roomId, threadId: threads[k], pos: position });
    }
    return [...reads.values()];
  }

  /** Local members whose membership turns to join in the batch: from there on, the room's rows are theirs. */
  private joinsIn(memory: RoomMemory, live: ReadonlyArray<{ event: AcceptedEvent; position: number }>): MemberSince[] {
    const joins: MemberSince[] = [];
    const membership = new Map<string, string | undefined>();
    for (const { event, position } of live) {
      const { pdu } = event;
      if (pdu.type !== "m.room.member" || typeof pdu.state_key !== "string" || !pdu.state_key.endsWith(`:${this.deps.serverName}`)) continue;
      const userId = pdu.state_key;
      const before = membership.has(userId) ? membership.get(userId) : memory.membershipOf(userId);
      const after = pdu.content.membership as string | undefined;
      membership.set(userId, after);
      if (after === "join" && before !== "join") joins.push({ userId, roomId: memory.roomId, sincePos: position });
    }
    return joins;
  }

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

/** The joined members an event may name through m.mentions or as a member event's subject. */
function namedMembers(naming: NamingFacts, joined: ReadonlySet<string>): string[] {
  const named = new Set(naming.mentionedIds);
  if (naming.memberStateKey !== undefined) named.add(naming.memberStateKey);
  return [...named].filter((userId) => joined.has(userId));
}

function actionsJson(outcome: PushOutcome): string {
  return JSON.stringify(outcome.actions);
}

/** Does a member's outcome equal the room row's (both silent, or both notifying alike)? */
function sameOutcome(own: PushOutcome | undefined, room: PushOutcome | undefined): boolean {
  if (own?.notify !== true || room?.notify !== true) return own?.notify !== true && room?.notify !== true;
  return own.highlight === room.highlight && actionsJson(own) === actionsJson(room);
}

function isLocalInvite({ pdu }: AcceptedEvent, serverName: string): boolean {
  return pdu.type === "m.room.member" && pdu.content.membership === "invite" && typeof pdu.state_key === "string" && pdu.state_key.endsWith(`:${serverName}`);
}
