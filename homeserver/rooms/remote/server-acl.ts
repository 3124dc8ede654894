import { errors } from "../../errors.js";
import { LruCache } from "../../core/lru-cache.js";
import type { EventPersister } from "../persist/event-persister.js";
import type { RoomMemory } from "../persist/room-memory.js";

/**
 * The host part of a server name: ACLs ignore the port ("evil.com:8448" is "evil.com"). IPv6 literals keep
 * their brackets, as they appear in server names.
 */
export function hostOf(serverName: string): string {
  if (serverName.startsWith("[")) {
    const end = serverName.indexOf("]");
    return end > 0 ? serverName.slice(0, end + 1) : serverName;
  }
  const colon = serverName.lastIndexOf(":");
  return colon >= 0 ? serverName.slice(0, colon) : serverName;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export function isIpLiteral(host: string): boolean {
  return IPV4.test(host) || (host.startsWith("[") && host.endsWith("]"));
}

/** The spec's globs: `*` is any run of characters, `?` exactly one; host names compare case-insensitively. */
export function globToRegExp(glob: string): RegExp {
  let source = "";
  for (const char of glob) {
    if (char === "*") source += ".*";
    else if (char === "?") source += ".";
    else source += char.replace(/[.+^${}()|[\]\\/-]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "is");
}

export interface ServerAclMatcher {
  allows(serverName: string): boolean;
}

const patternsOf = (value: unknown): RegExp[] => (Array.isArray(value) ? value.filter((p): p is string => typeof p === "string").map(globToRegExp) : []);

/**
 * Compiles the content of an `m.room.server_acl` event (spec: Server ACLs): an IP literal is denied when
 * `allow_ip_literals` is false, then a `deny` match denies, an `allow` match allows, and anything else is
 * denied. A missing or malformed `allow` therefore denies everyone, as the spec warns.
 */
export function compileServerAcl(content: Record<string, unknown>): ServerAclMatcher {
  const allow = patternsOf(content.allow);
  const deny = patternsOf(content.deny);
  const allowIpLiterals = content.allow_ip_literals !== false;
  return {
    allows(serverName: string): boolean {
      const host = hostOf(serverName);
      if (!allowIpLiterals && isIpLiteral(host)) return false;
      if (deny.some((p) => p.test(host))) return false;
      return allow.some((p) => p.test(host));
    },
  };
}

/** Whether `serverName` may take part in a room whose ACL content is `content` (undefined: no ACL, allowed). */
export function serverAllowedByAcl(serverName: string, content: Record<string, unknown> | undefined): boolean {
  return content === undefined ? true : compileServerAcl(content).allows(serverName);
}

const CACHED_ACLS = 1_000;

/**
 * Enforces rooms' server ACLs on requests from other servers. Requests naming a room we do not hold pass:
 * the endpoint answers them (usually 404) itself. Compiled ACLs are kept per ACL event.
 */
export class ServerAcls {
  private readonly compiled = new LruCache<string, ServerAclMatcher>(CACHED_ACLS);

  constructor(private readonly persister: EventPersister) {}

  allowedIn(serverName: string, memory: RoomMemory): boolean {
    const acl = memory.stateEvent("m.room.server_acl");
    if (!acl) return true;
    let matcher = this.compiled.get(acl.event_id);
    if (!matcher) {
      matcher = compileServerAcl(acl.content);
      this.compiled.set(acl.event_id, matcher);
    }
    return matcher.allows(serverName);
  }

  async isAllowed(serverName: string, roomId: string): Promise<boolean> {
    const memory = await this.persister.roomMemory(roomId);
    return memory === undefined || this.allowedIn(serverName, memory);
  }

  /** 403 M_FORBIDDEN, as the spec requires, when the room's ACL denies the server. */
  async requireAllowed(serverName: string, roomId: string): Promise<void> {
    if (!(await this.isAllowed(serverName, roomId))) throw errors.forbidden(`Server ${serverName} is denied by the room's server ACL`);
  }
}
