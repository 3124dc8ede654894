/**
 * Small shared pieces of the authorization rules: the result type, identifier helpers and reads
 * of the auth-relevant state (create event, memberships, join rule, creators).
 */
import type { IdentifiedPdu, JsonObject, JsonValue, Pdu, StateLookup } from "../pdu.js";
import type { RoomVersion } from "../room-versions.js";

export type AuthResult = { ok: true } | { ok: false; reason: string };

export const ALLOW: AuthResult = Object.freeze({ ok: true });
export const reject = (reason: string): AuthResult => ({ ok: false, reason });

/** The subset of an event the selection and membership helpers read; lets callers pass a template. */
export interface EventShape {
  type: string;
  sender: string;
  state_key?: string;
  content: JsonObject;
}

export const CREATE = "m.room.create";
export const MEMBER = "m.room.member";
export const POWER_LEVELS = "m.room.power_levels";
export const JOIN_RULES = "m.room.join_rules";
export const THIRD_PARTY_INVITE = "m.room.third_party_invite";
export const ALIASES = "m.room.aliases";
export const REDACTION = "m.room.redaction";

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export const has = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

export const utf8Length = (text: string): number => Buffer.byteLength(text, "utf8");

/** The server name of a user id, v1/v2 event id or pre-v12 room id (everything after the first colon). */
export function serverNameOf(id: string): string | undefined {
  const colon = id.indexOf(":");
  return colon < 0 ? undefined : id.slice(colon + 1);
}

/**
 * A user id as the auth rules need it: `@localpart:server`, at most 255 bytes. Deliberately as
 * lenient as Synapse on the localpart (historical user ids allow almost anything) so that we never
 * reject a power-levels event that the rest of the federation accepted.
 */
export function isValidUserId(value: unknown): value is string {
  if (typeof value !== "string" || !value.startsWith("@")) return false;
  const colon = value.indexOf(":");
  if (colon < 1 || colon === value.length - 1) return false;
  return utf8Length(value) <= 255;
}

/** The state of `userId` as the rules read it: absent means `leave`. */
export function membershipOf(authState: StateLookup, userId: string): string {
  const membership = authState.get(MEMBER, userId)?.content["membership"];
  return typeof membership === "string" ? membership : "leave";
}

/** Without a join rules event the room behaves as invite-only (Synapse and ruma agree). */
export function joinRuleOf(authState: StateLookup): string {
  const rule = authState.get(JOIN_RULES, "")?.content["join_rule"];
  return typeof rule === "string" ? rule : "invite";
}

/** The single creator used by the "first join" rule and by power levels without a PL event. */
export function creatorOf(create: Pdu, version: RoomVersion): string | undefined {
  if (!version.createEventHasCreator) return create.sender;
  const creator = create.content["creator"];
  return typeof creator === "string" ? creator : undefined;
}

/** v12 "room creators": the create event's sender plus `additional_creators`. */
export function creatorsOf(create: Pdu): Set<string> {
  const creators = new Set<string>([create.sender]);
  const additional = create.content["additional_creators"];
  if (Array.isArray(additional)) {
    for (const user of additional) if (typeof user === "string") creators.add(user);
  }
  return creators;
}

/** v12: the room id is the create event's id with `!` in place of `$`. */
export function roomIdForCreateEventId(createEventId: string): string {
  return `!${createEventId.slice(1)}`;
}

export function contentString(content: JsonObject, key: string): string | undefined {
  const value: JsonValue | undefined = content[key];
  return typeof value === "string" ? value : undefined;
}

/** A StateLookup over a list of events, e.g. the event's own auth events. Later entries win. */
export function stateLookupFromEvents(events: Iterable<IdentifiedPdu>): StateLookup {
  const byKey = new Map<string, IdentifiedPdu>();
  for (const event of events) {
    if (typeof event.state_key === "string") byKey.set(`${event.type}\u0000${event.state_key}`, event);
  }
  return { get: (type, stateKey) => byKey.get(`${type}\u0000${stateKey}`) };
}

/** Adds (or replaces) entries in front of another lookup; used to supply the v12 create event. */
export function withStateEvents(base: StateLookup, extra: Iterable<IdentifiedPdu>): StateLookup {
  const overlay = stateLookupFromEvents(extra);
  return { get: (type, stateKey) => overlay.get(type, stateKey) ?? base.get(type, stateKey) };
}
