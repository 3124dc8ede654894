import type { JsonObject } from "../../events/pdu.js";

const isLocal = (alias: unknown, serverName: string): alias is string => typeof alias === "string" && alias.endsWith(`:${serverName}`);

/**
 * Our aliases move to the new room, so the canonical alias event splits: the new room names our aliases
 * (the main one, and the alternatives), the old one keeps only other servers' (Synapse does the same).
 */
export function splitCanonicalAlias(content: JsonObject, serverName: string): { old: JsonObject; replacement: JsonObject } {
  const old: JsonObject = { ...content };
  const replacement: JsonObject = {};
  if (isLocal(content.alias, serverName)) {
    replacement.alias = content.alias;
    delete old.alias;
  }
  if (Array.isArray(content.alt_aliases)) {
    const moved = content.alt_aliases.filter((alias) => isLocal(alias, serverName));
    const kept = content.alt_aliases.filter((alias) => !isLocal(alias, serverName));
    if (moved.length > 0) replacement.alt_aliases = moved;
    if (kept.length > 0) old.alt_aliases = kept;
    else delete old.alt_aliases;
  }
  return { old, replacement };
}
