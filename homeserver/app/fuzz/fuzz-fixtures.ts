import { randomBytes } from "node:crypto";
import { encodeUnpaddedBase64 } from "../../crypto/base64.js";
import { generateSigningKey, type SigningKey } from "../../crypto/signing-key.js";
import type { JsonObject } from "../../events/pdu.js";
import { getRoomVersion } from "../../events/room-versions.js";
import { authEventTypesFor } from "../../events/auth-rules/index.js";
import { buildLocalEvent } from "../../rooms/event-factory.js";
import { completeTemplate } from "../../rooms/remote/complete-template.js";
import { toWirePdu } from "../../rooms/remote/index.js";
import { ServerKeysStore } from "../../storage/stores/server-keys-store.js";
import { bearer, registerTestUser, type TestUser } from "../../users/testing/http-users.js";
import type { TestApp } from "../test-app.js";
import { signRequest } from "../../../federation/x-matrix.js";
import type { FuzzTargets, PeerEventDraft, SignedPeerEvent } from "./fuzz-targets.js";
import type { Signer } from "./fuzz-request.js";

const V3 = "/_matrix/client/v3";
const enc = encodeURIComponent;

/**
 * The peer that signs the fuzzer's federation requests. Its key is stored as if fetched, so no request ever
 * goes out for it; its name is a loopback address that outgoing federation refuses to connect to.
 */
export const FUZZ_PEER = "127.0.0.1:1";

/**
 * A user with a room (public, aliased, with a message and a remote member: the peer), a device and a filter,
 * for requests to point at. Requests may break them (leave the room, change the power levels, log out);
 * `ensureUsable` notices and builds new ones.
 */
export class FuzzFixtures implements Signer {
  readonly peerName = FUZZ_PEER;
  readonly peerKey: SigningKey = generateSigningKey();
  private user!: TestUser;
  private current!: FuzzTargets;

  constructor(private readonly app: TestApp) {}

  get serverName(): string {
    return this.app.ctx.serverName;
  }

  get targets(): FuzzTargets {
    return this.current;
  }

  accessToken = () => this.user.accessToken;

  async build(): Promise<void> {
    const keys = new ServerKeysStore(this.app.ctx.db);
    const publicKey = encodeUnpaddedBase64(this.peerKey.publicKey);
    await keys.storeResponse([{ serverName: FUZZ_PEER, keyId: this.peerKey.keyId, publicKey, validUntilTs: Number.MAX_SAFE_INTEGER, expiredTs: null }], []);
    await this.buildTargets();
  }

  /** Repairs what requests broke; true when the targets changed. */
  async ensureUsable(): Promise<boolean> {
    let changed = false;
    if (!(await this.tokenWorks())) {
      changed = true;
      // Logged out: log in again. Deactivated, or a new password: a new user, who needs a new room too.
      if (!(await this.logInAgain())) {
        await this.buildTargets();
        return true;
      }
    }
    const before = this.current;
    if (!(await this.repairRoom())) await this.buildRoom();
    return changed || this.current !== before;
  }

  private async buildTargets(): Promise<void> {
    this.user = await registerTestUser(this.app.http, { localpart: `fuzz-${randomBytes(4).toString("hex")}` });
    await this.buildRoom();
  }

  private async buildRoom(): Promise<void> {
    const http = this.app.http;
    const auth = { headers: bearer(this.user) };
    const aliasName = `fuzz-${randomBytes(4).toString("hex")}`;
    const created = await http.inject({ method: "POST", url: `${V3}/createRoom`, ...auth, payload: { preset: "public_chat", room_alias_name: aliasName, name: "fuzz" } });
    const roomId = expectOk(created, "createRoom").room_id as string;
    const sent = await http.inject({ method: "PUT", url: `${V3}/rooms/${enc(roomId)}/send/m.room.message/fixture`, ...auth, payload: { msgtype: "m.text", body: "fixture" } });
    const eventId = expectOk(sent, "send").event_id as string;
    const filter = await http.inject({ method: "POST", url: `${V3}/user/${enc(this.user.userId)}/filter`, ...auth, payload: { room: { timeline: { limit: 5 } } } });
    const peerUserId = `@fuzz-peer:${FUZZ_PEER}`;
    this.current = {
      serverName: this.serverName,
      userId: this.user.userId,
      deviceId: this.user.deviceId,
      roomId,
      eventId,
      alias: `#${aliasName}:${this.serverName}`,
      filterId: expectOk(filter, "filter").filter_id as string,
      keyId: this.app.ctx.signingKey.keyId,
      peerName: FUZZ_PEER,
      peerUserId,
      roomVersion: "",
      stateIds: {},
    };
    this.current.roomVersion = await this.joinPeer(roomId, peerUserId);
    this.current.stateIds = await this.stateIds(roomId);
  }

  private async stateIds(roomId: string): Promise<Record<string, string>> {
    const state = expectOk(await this.app.http.inject({ method: "GET", url: `${V3}/rooms/${enc(roomId)}/state`, headers: bearer(this.user) }), "state");
    const events = state as unknown as Array<{ type: string; state_key: string; event_id: string }>;
    return Object.fromEntries(events.map((e) => [`${e.type}\u0000${e.state_key}`, e.event_id]));
  }

  /**
   * An event by the peer's user in the room, validly hashed and signed, so that what a route does with its
   * content is reached past the signature checks. It cites the fixture message as its prev event.
   */
  signPeerEvent = (draft: PeerEventDraft): SignedPeerEvent => {
    const t = this.current;
    const version = getRoomVersion(t.roomVersion)!;
    const content = draft.content as JsonObject;
    // The auth events the rules select for this event (those of its kind that the room has).
    let selected: Array<[string, string]> = [];
    try {
      selected = authEventTypesFor({ type: draft.type, sender: t.peerUserId, state_key: draft.stateKey, content }, version);
    } catch {
      // Content the selection cannot read: the event goes with none, and the server must refuse it by itself.
    }
    const authEvents = selected.map(([type, key]) => t.stateIds[`${type}\u0000${key}`]).filter((id): id is string => id !== undefined);
    const pdu = buildLocalEvent(
      { type: draft.type, stateKey: draft.stateKey, sender: t.peerUserId, content },
      { roomId: t.roomId, prevEvents: [t.eventId], authEvents, depth: 1000, originServerTs: Date.now() },
      version,
      FUZZ_PEER,
      this.peerKey,
    );
    return { eventId: pdu.event_id, wire: toWirePdu(pdu, version) };
  };

  private async tokenWorks(): Promise<boolean> {
    const whoami = await this.app.http.inject({ method: "GET", url: `${V3}/account/whoami`, headers: bearer(this.user) });
    return whoami.statusCode === 200;
  }

  private async logInAgain(): Promise<boolean> {
    const login = await this.app.http.inject({
      method: "POST",
      url: `${V3}/login`,
      payload: { type: "m.login.password", identifier: { type: "m.id.user", user: this.user.userId }, password: this.user.password },
    });
    if (login.statusCode !== 200) return false;
    const body = login.json() as { access_token: string; device_id: string };
    this.user = { ...this.user, accessToken: body.access_token, deviceId: body.device_id };
    this.current = { ...this.current, deviceId: body.device_id };
    return true;
  }

  /** The peer joins the room as a resident server would let it: make_join, then send_join, both signed. */
  private async joinPeer(roomId: string, userId: string): Promise<string> {
    const made = expectOk(await this.signed("GET", `/_matrix/federation/v1/make_join/${enc(roomId)}/${enc(userId)}?ver=10&ver=11&ver=12`), "make_join");
    const version = getRoomVersion(made.room_version as string)!;
    const event = completeTemplate(made.event as Record<string, unknown>, version, FUZZ_PEER, this.peerKey, Date.now(), { membership: "join" });
    const path = `/_matrix/federation/v2/send_join/${enc(roomId)}/${enc(event.event_id)}`;
    expectOk(await this.signed("PUT", path, toWirePdu(event, version)), "send_join");
    return version.id;
  }

  private signed(method: "GET" | "PUT", url: string, body?: Record<string, unknown>) {
    const authorization = signRequest({ method, uri: url, origin: FUZZ_PEER, destination: this.serverName, content: body, signingKey: this.peerKey });
    return this.app.http.inject({ method, url, headers: { authorization }, payload: body });
  }

  /**
   * Puts the room back as built, where a request can: the user rejoins, the alias is set again. Power levels,
   * join rules or the peer's membership changed: false, the room needs building anew.
   */
  private async repairRoom(): Promise<boolean> {
    const http = this.app.http;
    const t = this.current;
    const auth = { headers: bearer(this.user) };
    const room = `${V3}/rooms/${enc(t.roomId)}`;
    const own = await http.inject({ method: "GET", url: `${room}/state/m.room.member/${enc(t.userId)}`, ...auth });
    if (own.statusCode !== 200 || own.json().membership !== "join") {
      const joined = await http.inject({ method: "POST", url: `${V3}/join/${enc(t.roomId)}`, ...auth, payload: {} });
      if (joined.statusCode !== 200) return false;
    }
    const state = await http.inject({ method: "GET", url: `${room}/state`, ...auth });
    if (state.statusCode !== 200) return false;
    const events = state.json() as Array<{ type: string; state_key: string; sender: string; content: Record<string, any> }>;
    const content = (type: string, key = "") => events.find((e) => e.type === type && e.state_key === key)?.content;
    if (content("m.room.member", t.peerUserId)?.membership !== "join") return false;
    if (content("m.room.join_rules")?.join_rule !== "public") return false;
    // From room version 12 the creator has unlimited power that no power levels event can take away.
    const creatorRules = getRoomVersion(t.roomVersion)?.creatorsHavePrivilege === true && events.some((e) => e.type === "m.room.create" && e.sender === t.userId);
    if (!creatorRules && content("m.room.power_levels")?.users?.[t.userId] !== 100) return false;
    const event = await http.inject({ method: "GET", url: `${room}/event/${enc(t.eventId)}`, ...auth });
    if (event.statusCode !== 200) return false;
    const alias = await http.inject({ method: "GET", url: `${V3}/directory/room/${enc(t.alias)}`, ...auth });
    if (alias.statusCode === 200 && alias.json().room_id === t.roomId) return true;
    const aliasName = `fuzz-${randomBytes(4).toString("hex")}`;
    const set = await http.inject({ method: "PUT", url: `${V3}/directory/room/${enc(`#${aliasName}:${this.serverName}`)}`, ...auth, payload: { room_id: t.roomId } });
    if (set.statusCode !== 200) return false;
    this.current = { ...t, alias: `#${aliasName}:${this.serverName}` };
    return true;
  }
}

function expectOk(response: { statusCode: number; body: string; json(): any }, what: string): Record<string, unknown> {
  if (response.statusCode !== 200) throw new Error(`fuzz fixtures: ${what} failed: ${response.statusCode} ${response.body.slice(0, 300)}`);
  return response.json();
}
