/**
 * Test rooms for the auth-rule tests: a small, fully controlled state map per room version.
 * Not used by production code.
 */
import type { IdentifiedPdu, JsonObject, StateLookup } from "../pdu.js";
import { requireRoomVersion, type RoomVersion } from "../room-versions.js";
import { checkEventAuth, type AuthResult } from "./index.js";

export const ALL_VERSIONS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"];
export const versionsFrom = (from: number, to = 12) => ALL_VERSIONS.filter((v) => Number(v) >= from && Number(v) <= to);

export const ALICE = "@alice:a.example"; // creator
export const BOB = "@bob:a.example"; // joined, moderator (50)
export const CAROL = "@carol:b.example"; // joined, level 0, other server
export const DAVE = "@dave:b.example"; // not in the room
export const EVE = "@eve:b.example"; // banned

let counter = 0;

export interface RoomOptions {
  createContent?: JsonObject;
  /** Override the create event's sender (defaults to ALICE). */
  creator?: string;
  joinRule?: string | null;
  powerLevels?: JsonObject | null;
}

export class TestRoom {
  readonly version: RoomVersion;
  readonly roomId: string;
  readonly create: IdentifiedPdu;
  private readonly state = new Map<string, IdentifiedPdu>();

  constructor(versionId: string, options: RoomOptions = {}) {
    this.version = requireRoomVersion(versionId);
    const creator = options.creator ?? ALICE;
    const createId = this.nextId();
    this.roomId = this.version.roomIdFromCreateEvent ? `!${createId.slice(1)}` : "!room:a.example";
    const content: JsonObject = { room_version: versionId, ...(options.createContent ?? {}) };
    if (this.version.createEventHasCreator && !("creator" in (options.createContent ?? {}))) content["creator"] = creator;
    const create: IdentifiedPdu = {
      event_id: createId,
      sender: creator,
      type: "m.room.create",
      state_key: "",
      content,
      origin_server_ts: 1,
      prev_events: [],
      auth_events: [],
      depth: 1,
    };
    if (!this.version.roomIdFromCreateEvent) create.room_id = this.roomId;
    this.create = create;
    this.put(create);
    this.member(ALICE, "join");
    this.member(BOB, "join");
    this.member(CAROL, "join");
    this.member(EVE, "ban", ALICE);
    if (options.powerLevels !== null) {
      // In v12 the creator's power is implied and must not be listed.
      const users: JsonObject = this.version.creatorsHavePrivilege ? { [BOB]: 50 } : { [ALICE]: 100, [BOB]: 50 };
      this.state_("m.room.power_levels", "", options.powerLevels ?? { users }, ALICE);
    }
    if (options.joinRule !== null) this.state_("m.room.join_rules", "", { join_rule: options.joinRule ?? "invite" }, ALICE);
  }

  nextId(): string {
    counter += 1;
    // v1/v2 ids name a server; later ids are opaque hashes.
    return this.version.eventIdFormat === "server-generated" ? `$e${counter}:a.example` : `$hash${counter}`;
  }

  /** An event in this room with sensible defaults; `fields` override. */
  event(fields: Partial<IdentifiedPdu> & { type: string; sender: string }): IdentifiedPdu {
    const event: IdentifiedPdu = {
      event_id: this.nextId(),
      room_id: this.roomId,
      content: {},
      origin_server_ts: 1000,
      prev_events: ["$somewhere"],
      auth_events: [],
      depth: 10,
      ...fields,
    };
    return event;
  }

  put(event: IdentifiedPdu): IdentifiedPdu {
    this.state.set(`${event.type}\u0000${event.state_key}`, event);
    return event;
  }

  state_(type: string, stateKey: string, content: JsonObject, sender = ALICE): IdentifiedPdu {
    return this.put(this.event({ type, state_key: stateKey, content, sender }));
  }

  member(user: string, membership: string, sender = user, extra: JsonObject = {}): IdentifiedPdu {
    return this.state_("m.room.member", user, { membership, ...extra }, sender);
  }

  remove(type: string, stateKey: string): void {
    this.state.delete(`${type}\u0000${stateKey}`);
  }

  lookup(): StateLookup {
    return { get: (type, stateKey) => this.state.get(`${type}\u0000${stateKey}`) };
  }

  check(event: IdentifiedPdu): AuthResult {
    return checkEventAuth(event, this.lookup(), this.version);
  }

  /** Shorthand: a state event's auth result. */
  checkState(sender: string, type: string, stateKey: string, content: JsonObject): AuthResult {
    return this.check(this.event({ sender, type, state_key: stateKey, content }));
  }

  checkMember(sender: string, target: string, membership: string, extra: JsonObject = {}): AuthResult {
    return this.checkState(sender, "m.room.member", target, { membership, ...extra });
  }
}
