import { eventContentShapes, type FuzzTargets, type PeerEventDraft, type SignedPeerEvent } from "./fuzz-targets.js";
import { WRONG_TYPED_VALUES, BAD_IDS } from "./malformed-values.js";
import { fieldPaths, leafName, withField } from "./schema-values.js";

/** A body for a federation route carrying the peer's event, and the path parameters that name it. */
export interface PeerEventCase {
  label: string;
  build: () => { params: Record<string, string>; body: unknown };
}

const NOT_STATE = new Set(["m.room.message", "m.reaction", "m.room.redaction"]);

/** Each draft with one content field set to a wrong value, and left as it should be. */
function mutatedDrafts(type: string, shape: Record<string, unknown>, stateKey: string | undefined): Array<{ label: string; draft: () => PeerEventDraft }> {
  const out = [{ label: `${type} as it should be`, draft: () => ({ type, stateKey, content: shape }) }];
  for (const path of fieldPaths(undefined, shape)) {
    const values = /id$|_id|alias|server|user|room|event/i.test(leafName(path)) ? [...WRONG_TYPED_VALUES, ...BAD_IDS] : WRONG_TYPED_VALUES;
    for (const wrong of values) {
      out.push({ label: `${type} content.${path.join(".")}: ${wrong.label}`, draft: () => ({ type, stateKey, content: withField(shape, path, wrong.value) as Record<string, unknown> }) });
    }
  }
  return out;
}

/**
 * Validly signed events by the peer's user whose content is malformed, for the federation routes that take
 * events: a transaction's PDUs, and the membership handshakes (send_join, send_leave, send_knock, invite).
 * Signed, they get past signature and hash checks to auth rules and persistence.
 */
export function peerEventCases(url: string, t: FuzzTargets, sign: (draft: PeerEventDraft) => SignedPeerEvent): PeerEventCase[] {
  const enc = encodeURIComponent;
  const shapes = eventContentShapes(t);
  const membership = /\/send_(join|leave|knock)\//.exec(url)?.[1] ?? (/\/invite\//.test(url) ? "invite" : undefined);
  if (membership) {
    const invitee = membership === "invite" ? t.userId : t.peerUserId;
    const shape = { ...shapes["m.room.member"], membership };
    delete (shape as Record<string, unknown>).join_authorised_via_users_server;
    return mutatedDrafts("m.room.member", shape, invitee).map(({ label, draft }) => ({
      label: `signed ${membership}: ${label}`,
      build: () => {
        const event = sign(draft());
        const body = /\/v2\/invite\//.test(url) ? { room_version: t.roomVersion, event: event.wire, invite_room_state: [] } : event.wire;
        return { params: { roomId: enc(t.roomId), eventId: enc(event.eventId) }, body };
      },
    }));
  }
  if (!/\/federation\/v1\/send\//.test(url)) return [];
  return Object.entries(shapes).flatMap(([type, shape]) =>
    mutatedDrafts(type, shape, NOT_STATE.has(type) ? undefined : type === "m.room.member" ? t.peerUserId : "").map(({ label, draft }) => ({
      label: `signed PDU in a transaction: ${label}`,
      build: () => ({ params: {}, body: { origin: t.peerName, origin_server_ts: Date.now(), pdus: [sign(draft()).wire], edus: [] } }),
    })),
  );
}
