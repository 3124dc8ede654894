import type { CoreContext } from "../../core/core-context.js";
import type { Stores } from "../../storage/stores/stores.js";
import { errors, MatrixError } from "../../errors.js";
import type { IdentifiedPdu, Pdu } from "../../events/pdu.js";
import { getRoomVersion, type RoomVersion } from "../../events/room-versions.js";
import type { ServerKeys } from "../../federation-keys/server-keys.js";
import type { Db, Tx } from "../../storage/database.js";
import type { StoredEvent } from "../../storage/stores/events-store.js";
import type { UserStore } from "../../storage/stores/user-store.js";
import type { EventPersister } from "../persist/event-persister.js";
import type { RoomMemory } from "../persist/room-memory.js";
import { countersign } from "./complete-template.js";
import { checkIncomingPdu } from "./incoming-pdu.js";
import type { ServerAcls } from "./server-acl.js";
import { toStrippedState, type StrippedStateEvent } from "./stripped-state.js";

export interface InviteRequest {
  /** The invite as the inviting server sent it (wire form, `unsigned` included). */
  event: unknown;
  roomVersion: string;
  /** v2 carries it in the body; v1 in the event's `unsigned`. */
  inviteRoomState?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const serverOf = (userId: string) => userId.slice(userId.indexOf(":") + 1);

/**
 * The invited side of an invite from another server (spec: "Inviting to a room"): check the event, sign
 * it, and let the invitee see it. When no user of ours is in the room, nothing else will tell us about the
 * invite, so it is kept as a *pending invite*: a row on the live event stream (so /sync's membership
 * history shows it) marked outlier, with no state groups and no current state, and no rooms row when the
 * room is unknown (so the room does not look joined and a join still goes over federation). The room
 * state the inviter sent is kept, stripped, in the row's unsigned data as `invite_room_state`.
 * When one of our users is already in the room, the invite also arrives in a transaction and is placed
 * there like any event, so it is only signed here.
 */
export class ReceiveInvite {
  private readonly users: UserStore;

  constructor(
    private readonly core: CoreContext,
    private readonly persister: EventPersister,
    private readonly stores: Stores,
    private readonly keys: ServerKeys,
    private readonly acls: ServerAcls,
  ) {
    this.users = stores.users;
  }

  /** Checks and countersigns the invite; returns the event with our signature added, as the response carries it. */
  async receive(origin: string, roomId: string, eventId: string, request: InviteRequest): Promise<Record<string, unknown>> {
    const known = await this.persister.roomMemory(roomId);
    const version = getRoomVersion(request.roomVersion);
    if (!version) {
      throw new MatrixError("M_INCOMPATIBLE_ROOM_VERSION", `Room version ${request.roomVersion} is not supported`, 400, { room_version: request.roomVersion });
    }
    if (known && known.version.id !== version.id) throw errors.invalidParam(`The room is version ${known.version.id}, not ${version.id}`);
    if (known && !this.acls.allowedIn(origin, known)) throw errors.forbidden(`Server ${origin} is denied by the room's server ACL`);
    const raw = request.event;
    if (!isObject(raw)) throw errors.badJson("event must be an object");
    await this.checkShape(origin, roomId, raw);

    const check = await checkIncomingPdu(raw, version, this.keys);
    if (!check.ok) throw errors.invalidParam(`Invalid invite event: ${check.reason}`);
    if (check.redacted) throw errors.invalidParam("The invite event's content does not match its hash");
    if (check.pdu.event_id !== eventId) throw errors.invalidParam("The event id does not match the path");
    const inviteRoomState = await this.checkInviteRoomState(request.inviteRoomState, version, roomId);

    const signed = countersign(raw as Pdu, version, this.core.serverName, this.core.signingKey);
    if (!known || !this.ourServerIsJoined(known)) {
      await this.keepPending(roomId, known !== undefined, { ...check.pdu, signatures: signed.signatures }, inviteRoomState);
    }
    return signed as Record<string, unknown>;
  }

  /**
   * PUT /v1/invite: the body is the event, invite_room_state sits in its `unsigned`, and the spec has the
   * room be version 1 or 2 (both share the event format).
   */
  async receiveV1(origin: string, roomId: string, eventId: string, event: unknown): Promise<Record<string, unknown>> {
    const known = await this.persister.roomMemory(roomId);
    const roomVersion = known && (known.version.id === "1" || known.version.id === "2") ? known.version.id : "1";
    const unsigned = isObject(event) && isObject(event.unsigned) ? event.unsigned : {};
    return this.receive(origin, roomId, eventId, { event, roomVersion, inviteRoomState: unsigned.invite_room_state });
  }

  /** The spec's list of checks that stop us from signing something other than an invite for one of our users. */
  private async checkShape(origin: string, roomId: string, raw: Record<string, unknown>): Promise<void> {
    if (raw.type !== "m.room.member") throw errors.invalidParam("The event is not an m.room.member event");
    if (!isObject(raw.content) || raw.content.membership !== "invite") throw errors.invalidParam("The membership is not invite");
    if (raw.room_id !== roomId) throw errors.invalidParam("The event is not for the room in the path");
    if (typeof raw.sender !== "string" || serverOf(raw.sender) !== origin) throw errors.invalidParam("The sender is not a user of the requesting server");
    const invitee = raw.state_key;
    if (typeof invitee !== "string" || !invitee.startsWith("@") || serverOf(invitee) !== this.core.serverName) {
      throw errors.invalidParam("The invited user is not a user of this server");
    }
    const user = await this.users.get(invitee);
    if (!user) throw errors.notFound(`Unknown user ${invitee}`);
    if (user.deactivated) throw errors.forbidden(`${invitee} has been deactivated`);
  }

  /**
   * invite_room_state, stripped for our clients. From room version 12 the spec asks for full PDUs of the
   * room, the create event among them, each properly signed; older versions take what the inviter sends.
   */
  private async checkInviteRoomState(entries: unknown, version: RoomVersion, roomId: string): Promise<StrippedStateEvent[]> {
    if (entries !== undefined && !Array.isArray(entries)) throw errors.invalidParam("invite_room_state must be a list");
    if (!version.roomIdFromCreateEvent) return toStrippedState(entries);
    const list = (entries ?? []) as unknown[];
    let hasCreate = false;
    for (const entry of list) {
      const check = await checkIncomingPdu(entry, version, this.keys);
      if (!check.ok) throw errors.invalidParam(`invite_room_state holds an invalid event: ${check.reason}`);
      const pdu = check.pdu;
      const eventRoom = pdu.type === "m.room.create" && pdu.state_key === "" ? `!${pdu.event_id.slice(1)}` : pdu.room_id;
      if (eventRoom !== roomId) throw errors.invalidParam("invite_room_state holds an event of another room");
      if (pdu.type === "m.room.create" && pdu.state_key === "") hasCreate = true;
    }
    if (!hasCreate) throw errors.invalidParam("invite_room_state has no m.room.create event");
    return toStrippedState(list);
  }

  private ourServerIsJoined(memory: RoomMemory): boolean {
    for (const [key, event] of memory.state) {
      if (key.startsWith("m.room.member\u0000") && event.content.membership === "join" && serverOf(event.state_key!) === this.core.serverName) return true;
    }
    return false;
  }

  /**
   * Our user's knock on a room only other servers hold: kept like a pending invite, with the room's stripped
   * state, so /sync lists the room under `knock`.
   */
  async keepPendingKnock(roomId: string, pdu: IdentifiedPdu, knockRoomState: StrippedStateEvent[]): Promise<void> {
    const roomKnown = (await this.stores.rooms.get(roomId)) !== undefined;
    await this.keepPending(roomId, roomKnown, pdu, knockRoomState);
  }

  /** Writes the pending invite at the next live stream position and wakes the invitee's syncs. */
  private async keepPending(roomId: string, roomKnown: boolean, pdu: IdentifiedPdu, inviteRoomState: StrippedStateEvent[]): Promise<void> {
    await this.persister.serialise(roomId, async () => {
      // A retried invite request: already kept.
      if ((await this.stores.events.knownStatus([pdu.event_id])).has(pdu.event_id)) return;
      await this.insertLive(roomId, roomKnown, pdu, { invite_room_state: inviteRoomState });
    });
  }

  private async insertLive(
    roomId: string,
    roomKnown: boolean,
    pdu: IdentifiedPdu,
    unsigned: Record<string, unknown> | null,
    replacing: StoredEvent[] = [],
  ): Promise<void> {
    await this.persister.writeOutOfBand({ roomId, roomKnown, pdu, unsigned, before: (tx) => this.deleteRows(tx, replacing) });
  }

  /**
   * Pending membership rows of `roomId`: invites (and rejections of them) kept at live positions and marked
   * outlier. Nothing else is both: the ingest's outliers take negative positions.
   */
  async pending(roomId: string): Promise<StoredEvent[]> {
    const rows = await this.core.db
      .selectFrom("events")
      .select("event_id")
      .where("room_id", "=", roomId)
      .where("type", "=", "m.room.member")
      .where("outlier", "=", true)
      .where("stream_pos", ">", 0)
      .execute();
    const stored = await this.stores.events.getMany(rows.map((r) => r.event_id));
    return [...stored.values()].sort((a, b) => a.streamPos - b.streamPos);
  }

  /**
   * Removes pending rows before the room is joined over federation: they have no state, and left in the
   * room's timeline they would become the start of the joined room's first sync and hide its state. The
   * joined room's state brings the invite events back as ordinary outliers.
   */
  async withdraw(rows: StoredEvent[]): Promise<void> {
    await this.deleteRows(this.core.db, rows);
  }

  /**
   * A rejected invite (make_leave / send_leave done through the inviting server): the leave replaces the
   * invite in the invitee's membership history, with the invite as its prev_content, so /sync moves the room
   * from `invite` to `leave`.
   */
  async recordRejection(invites: StoredEvent[], leave: IdentifiedPdu): Promise<void> {
    const roomId = leave.room_id!;
    const invite = invites.at(-1);
    const unsigned = invite ? { prev_content: invite.pdu.content, prev_sender: invite.pdu.sender, replaces_state: invite.pdu.event_id } : null;
    await this.persister.serialise(roomId, async () => {
      if ((await this.stores.events.knownStatus([leave.event_id])).has(leave.event_id)) return;
      const roomKnown = (await this.stores.rooms.get(roomId)) !== undefined;
      await this.insertLive(roomId, roomKnown, leave, unsigned, invites);
    });
  }

  private async deleteRows(db: Db | Tx, rows: StoredEvent[]): Promise<void> {
    if (rows.length === 0) return;
    await db
      .deleteFrom("events")
      .where("event_id", "in", rows.map((e) => e.pdu.event_id))
      .where("outlier", "=", true)
      .where("stream_pos", ">", 0)
      .execute();
  }

  /** Puts withdrawn rows back, at new positions so that syncs see them again, when the join failed. */
  async restore(rows: StoredEvent[]): Promise<void> {
    for (const row of rows) {
      const roomId = row.pdu.room_id!;
      await this.persister.serialise(roomId, async () => {
        if ((await this.stores.events.knownStatus([row.pdu.event_id])).has(row.pdu.event_id)) return;
        const roomKnown = (await this.stores.rooms.get(roomId)) !== undefined;
        await this.insertLive(roomId, roomKnown, row.pdu, row.unsigned);
      });
    }
  }
}
