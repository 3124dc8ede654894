/**
 * The redaction algorithm ("Redactions" in each room version's spec page). It serves two callers
 * with different needs but the same rules: hashing/signing (the reference hash and signatures are
 * computed over the redacted form) and applying an accepted m.room.redaction to a stored event.
 * The result keeps exactly what the auth rules and state resolution still need, so a redacted
 * event keeps its effect on the room.
 */
import type { JsonObject, JsonValue, Pdu } from "./pdu.js";
import { requireRoomVersion, type RedactionRules, type RoomVersion } from "./room-versions.js";

const TOP_LEVEL_ALWAYS = [
  "event_id",
  "type",
  "room_id",
  "sender",
  "state_key",
  "content",
  "hashes",
  "signatures",
  "depth",
  "prev_events",
  "auth_events",
  "origin_server_ts",
] as const;
const TOP_LEVEL_UNTIL_V11 = ["prev_state", "origin", "membership"] as const;

const POWER_LEVELS_KEPT = [
  "ban",
  "events",
  "events_default",
  "kick",
  "redact",
  "state_default",
  "users",
  "users_default",
] as const;

/** Which top-level keys of an event survive redaction in this room version. */
export function redactionTopLevelKeys(rules: RedactionRules): readonly string[] {
  return rules.keepOriginMembershipPrevState ? [...TOP_LEVEL_ALWAYS, ...TOP_LEVEL_UNTIL_V11] : TOP_LEVEL_ALWAYS;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function pick(content: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const key of keys) {
    if (Object.prototype.hasOwnProperty.call(content, key)) out[key] = structuredClone(content[key]);
  }
  return out;
}

/** The content that survives redaction, for an event of `type` under `rules`. */
export function redactContent(type: string, content: JsonObject, rules: RedactionRules): JsonObject {
  switch (type) {
    case "m.room.member": {
      const kept = pick(content, rules.keepMemberJoinAuthorisedVia
        ? ["membership", "join_authorised_via_users_server"]
        : ["membership"]);
      // v11+: the signed block is what third-party-invite auth checks, so it must outlive redaction;
      // the rest of third_party_invite (display_name) is user data and goes. The object itself
      // stays even when it has no `signed` (as Synapse does), since reference hashes must agree.
      const tpi = content["third_party_invite"];
      if (rules.keepMemberThirdPartyInviteSigned && isObject(tpi)) {
        kept["third_party_invite"] = Object.prototype.hasOwnProperty.call(tpi, "signed")
          ? { signed: structuredClone(tpi["signed"] as JsonValue) }
          : {};
      }
      return kept;
    }
    case "m.room.create":
      return rules.keepCreateContent ? structuredClone(content) : pick(content, ["creator"]);
    case "m.room.join_rules":
      return pick(content, rules.keepJoinRulesAllow ? ["join_rule", "allow"] : ["join_rule"]);
    case "m.room.power_levels":
      return pick(content, rules.keepPowerLevelsInvite ? [...POWER_LEVELS_KEPT, "invite"] : POWER_LEVELS_KEPT);
    case "m.room.history_visibility":
      return pick(content, ["history_visibility"]);
    case "m.room.aliases":
      return rules.keepAliasesAliases ? pick(content, ["aliases"]) : {};
    case "m.room.redaction":
      return rules.keepRedactionRedacts ? pick(content, ["redacts"]) : {};
    default:
      return {};
  }
}

/**
 * Returns a new PDU holding only what the room version's redaction algorithm keeps. The input is
 * not modified and shares no objects with the output. `unsigned` is dropped, as the spec's list
 * says; a caller serving the event to clients adds its own `unsigned.redacted_because`.
 */
export function redactEvent<T extends Pdu>(pdu: T, version: RoomVersion | string): Pdu {
  const rules = (typeof version === "string" ? requireRoomVersion(version) : version).redactionRules;
  const out: Record<string, unknown> = {};
  for (const key of redactionTopLevelKeys(rules)) {
    if (key === "content") continue;
    if (Object.prototype.hasOwnProperty.call(pdu, key) && pdu[key] !== undefined) {
      out[key] = structuredClone(pdu[key]);
    }
  }
  out["content"] = redactContent(pdu.type, isObject(pdu.content) ? pdu.content : {}, rules);
  return out as unknown as Pdu;
}
