/**
 * The real objects of the fuzzed server that requests point at, so that handlers get past their 404s and
 * meet the malformed part. Read afresh for each route: the fixtures are rebuilt when a request broke them.
 */
export interface FuzzTargets {
  serverName: string;
  userId: string;
  deviceId: string;
  roomId: string;
  eventId: string;
  alias: string;
  filterId: string;
  /** Our own signing key id. */
  keyId: string;
  /** The peer that signs federation requests, and its user joined to `roomId`. */
  peerName: string;
  peerUserId: string;
  roomVersion: string;
  /** The room's current state, `type U+0000 state_key -> event id`: where the peer's PDUs find their auth events. */
  stateIds: Record<string, string>;
}

/** An event as the peer would build it in the fixture room: hashed and signed with the peer's key. */
export interface PeerEventDraft {
  type: string;
  stateKey?: string;
  content: Record<string, unknown>;
}

export interface SignedPeerEvent {
  eventId: string;
  /** As it goes over federation. */
  wire: Record<string, unknown>;
}

/** A valid value for a parameter or field of this name, if the name says what it is. */
export function realValueFor(name: string, targets: FuzzTargets, federation: boolean): string | undefined {
  const key = name.toLowerCase().replace(/[^a-z]/g, "");
  switch (key) {
    case "roomid":
    case "roomidoralias":
    case "replacementroom":
      return targets.roomId;
    case "eventid":
    case "redacts":
      return targets.eventId;
    case "userid":
    case "sender":
    case "target":
    case "user":
      return federation ? targets.peerUserId : targets.userId;
    case "deviceid":
      return targets.deviceId;
    case "roomalias":
    case "alias":
      return targets.alias;
    case "filterid":
      return targets.filterId;
    case "keyid":
      return targets.keyId;
    case "servername":
    case "server":
    case "origin":
      return federation ? targets.peerName : targets.serverName;
    case "eventtype":
      return "m.room.message";
    case "statekey":
      return "";
    case "type":
      return "org.example.fuzz";
    case "tag":
      return "u.fuzz";
    case "keyname":
      return "displayname";
    case "receipttype":
      return "m.read";
    case "roomversion":
      return targets.roomVersion;
  }
  return undefined;
}

type Shape = Record<string, unknown>;

/** Event contents the server reads fields of (auth rules, membership, redaction), by event type. */
export function eventContentShapes(t: FuzzTargets): Record<string, Shape> {
  return {
    "m.room.message": {
      msgtype: "m.text",
      body: "hello",
      format: "org.matrix.custom.html",
      formatted_body: "<b>hello</b>",
      "m.relates_to": { rel_type: "m.thread", event_id: t.eventId, "m.in_reply_to": { event_id: t.eventId } },
    },
    "m.room.member": { membership: "join", displayname: "x", avatar_url: "mxc://test.local/a", reason: "r", join_authorised_via_users_server: t.userId },
    "m.room.power_levels": {
      users: { [t.userId]: 100 },
      users_default: 0,
      events: { "m.room.name": 50 },
      events_default: 0,
      state_default: 50,
      ban: 50,
      kick: 50,
      redact: 50,
      invite: 0,
      notifications: { room: 50 },
    },
    "m.room.join_rules": { join_rule: "public", allow: [{ type: "m.room_membership", room_id: t.roomId }] },
    "m.room.history_visibility": { history_visibility: "shared" },
    "m.room.guest_access": { guest_access: "can_join" },
    "m.room.name": { name: "name" },
    "m.room.topic": { topic: "topic" },
    "m.room.avatar": { url: "mxc://test.local/a", info: { w: 1, h: 1, mimetype: "image/png", size: 1 } },
    "m.room.canonical_alias": { alias: t.alias, alt_aliases: [t.alias] },
    "m.room.server_acl": { allow: ["*"], deny: ["evil.example"], allow_ip_literals: true },
    "m.room.encryption": { algorithm: "m.megolm.v1.aes-sha2", rotation_period_ms: 604800000 },
    "m.room.pinned_events": { pinned: [t.eventId] },
    "m.room.tombstone": { body: "moved", replacement_room: t.roomId },
    "m.room.create": { room_version: t.roomVersion, "m.federate": true, predecessor: { room_id: t.roomId, event_id: t.eventId } },
    "m.room.redaction": { redacts: t.eventId, reason: "r" },
    "m.room.third_party_invite": { display_name: "x", key_validity_url: "https://test.local/k", public_key: "abc", public_keys: [{ public_key: "abc" }] },
    "m.reaction": { "m.relates_to": { rel_type: "m.annotation", event_id: t.eventId, key: "👍" } },
  };
}

/** Account data the server gives meaning to (or refuses to take from clients), by type. */
export function accountDataShapes(t: FuzzTargets): Record<string, Shape> {
  return {
    "m.direct": { [t.userId]: [t.roomId] },
    "m.ignored_user_list": { ignored_users: { "@someone:test.local": {} } },
    "m.push_rules": { global: { override: [] } },
    "m.fully_read": { event_id: t.eventId },
    "m.tag": { tags: { "u.x": { order: 0.5 } } },
    "org.example.fuzz": { a: 1 },
  };
}

/** A PDU as a peer would send it, for the federation routes whose body is one event. */
export function pduShape(t: FuzzTargets, membership: string): Shape {
  return {
    type: "m.room.member",
    room_id: t.roomId,
    sender: t.peerUserId,
    state_key: t.peerUserId,
    content: { membership },
    origin_server_ts: 1,
    depth: 10,
    prev_events: [t.eventId],
    auth_events: [t.eventId],
    hashes: { sha256: "abc" },
    signatures: { [t.peerName]: { "ed25519:fuzz": "abc" } },
    unsigned: { invite_room_state: [] },
  };
}

/** Bodies the route schemas do not spell out, by route pattern: the fields handlers read anyway. */
export function knownBodyShape(url: string, t: FuzzTargets): Shape | undefined {
  if (/\/send_(join|leave|knock)\//.test(url)) return pduShape(t, /send_(\w+)/.exec(url)![1]);
  if (/\/v1\/invite\//.test(url)) return pduShape(t, "invite");
  if (/\/v2\/invite\//.test(url)) return { room_version: t.roomVersion, event: pduShape(t, "invite"), invite_room_state: [] };
  if (/\/federation\/v1\/send\//.test(url)) {
    return {
      origin: t.peerName,
      origin_server_ts: 1,
      pdus: [{ ...pduShape(t, "join"), type: "m.room.message", state_key: undefined, content: { body: "x", msgtype: "m.text" } }],
      edus: [
        { edu_type: "m.typing", content: { room_id: t.roomId, user_id: t.peerUserId, typing: true } },
        { edu_type: "m.receipt", content: { [t.roomId]: { "m.read": { [t.peerUserId]: { event_ids: [t.eventId], data: { ts: 1 } } } } } },
        { edu_type: "m.presence", content: { push: [{ user_id: t.peerUserId, presence: "online", last_active_ago: 1 }] } },
        { edu_type: "m.direct_to_device", content: { sender: t.peerUserId, type: "m.x", message_id: "m", messages: {} } },
      ],
    };
  }
  if (/\/get_missing_events\//.test(url)) return { earliest_events: [], latest_events: [t.eventId], limit: 10, min_depth: 0 };
  if (/\/key\/v2\/query$/.test(url)) return { server_keys: { [t.serverName]: { [t.keyId]: { minimum_valid_until_ts: 0 } } } };
  if (/\/read_markers$/.test(url)) return { "m.fully_read": t.eventId, "m.read": t.eventId, "m.read.private": t.eventId };
  if (/\/receipt\//.test(url)) return { thread_id: "main" };
  if (/\/typing\//.test(url)) return { typing: true, timeout: 1000 };
  if (/\/presence\//.test(url)) return { presence: "online", status_msg: "hi" };
  if (/\/tags\//.test(url)) return { order: 0.5 };
  if (/\/profile\//.test(url)) return { displayname: "fuzz", avatar_url: "mxc://test.local/a" };
  if (/\/filter$/.test(url)) return { room: { timeline: { limit: 10, types: ["m.room.message"] }, rooms: [t.roomId] }, event_fields: ["content.body"], presence: { not_types: [] } };
  if (/\/publicRooms$/.test(url)) return { limit: 10, since: "x", filter: { generic_search_term: "x" }, include_all_networks: false };
  if (/\/login$/.test(url)) return { type: "m.login.password", identifier: { type: "m.id.user", user: t.userId }, password: "wrong" };
  if (/\/register$/.test(url)) return { username: "fuzzuser", password: "correct horse battery staple", auth: { type: "m.login.dummy" }, inhibit_login: true };
  if (/\/devices\/:deviceId$|\/delete_devices$|\/account\/(password|deactivate)$/.test(url)) {
    return { devices: [t.deviceId], display_name: "d", new_password: "another password", logout_devices: false, auth: { type: "m.login.password", identifier: { type: "m.id.user", user: t.userId }, password: "wrong", session: "s" } };
  }
  return undefined;
}
