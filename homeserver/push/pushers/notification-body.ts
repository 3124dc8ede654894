import type { IdentifiedPdu } from "../../events/pdu.js";
import type { PusherRow } from "../../storage/stores/pushers-store.js";
import type { Badge } from "./badge-count.js";
import type { NotifyBody } from "./gateway-client.js";

/** What the body says about the event's room and sender, read once per event (event-context.ts). */
export interface EventContext {
  senderDisplayName?: string;
  roomName?: string;
  roomAlias?: string;
}

/**
 * The push rule's set_tweak actions as the gateway's `tweaks` (a tweak without a value is true, which is what the
 * spec says of highlight).
 */
export function tweaksOf(actions: unknown): Record<string, unknown> {
  const tweaks: Record<string, unknown> = {};
  if (!Array.isArray(actions)) return tweaks;
  for (const action of actions) {
    if (typeof action !== "object" || action === null || typeof (action as { set_tweak?: unknown }).set_tweak !== "string") continue;
    const { set_tweak: name, value } = action as { set_tweak: string; value?: unknown };
    tweaks[name] = value === undefined ? true : value;
  }
  return tweaks;
}

/**
 * The device entry: data as the client gave it minus url (the spec: forward everything else, format and custom
 * keys included), and pushkey_ts in seconds.
 */
function deviceOf(pusher: PusherRow, tweaks?: Record<string, unknown>): Record<string, unknown> {
  const { url: _url, ...data } = pusher.data;
  const device: Record<string, unknown> = { app_id: pusher.appId, pushkey: pusher.pushkey, pushkey_ts: Math.floor(pusher.pushkeyTs / 1000), data };
  if (tweaks && Object.keys(tweaks).length > 0) device.tweaks = tweaks;
  return device;
}

/**
 * One event's notification. prio is high when it makes a sound or highlights, or may (an encrypted event, whose
 * rules the server could not see), else low, as Synapse decides it. With data.format event_id_only the body says
 * only which event (and the badge), without tweaks, as Synapse sends it. An encrypted event's content never goes
 * to the gateway: the type says enough, and the ciphertext is no business of a third party's.
 */
export function eventNotification(pusher: PusherRow, roomId: string, event: IdentifiedPdu, actions: unknown, badge: Badge, context: EventContext): NotifyBody {
  const tweaks = tweaksOf(actions);
  const encrypted = event.type === "m.room.encrypted";
  const prio = encrypted || tweaks.highlight === true || tweaks.sound !== undefined ? "high" : "low";
  if (pusher.data.format === "event_id_only") {
    return { notification: { event_id: event.event_id, room_id: roomId, prio, counts: countsOf(badge), devices: [deviceOf(pusher)] } };
  }
  const notification: NotifyBody["notification"] = {
    event_id: event.event_id,
    room_id: roomId,
    type: event.type,
    sender: event.sender,
    prio,
    counts: countsOf(badge),
    devices: [deviceOf(pusher, tweaks)],
  };
  const content = event.content as Record<string, unknown> | undefined;
  if (event.type === "m.room.member" && typeof event.state_key === "string") {
    notification.user_is_target = event.state_key === pusher.userId;
    if (typeof content?.membership === "string") notification.membership = content.membership;
  }
  if (!encrypted && content && Object.keys(content).length > 0) notification.content = content;
  if (context.senderDisplayName) notification.sender_display_name = context.senderDisplayName;
  if (context.roomName) notification.room_name = context.roomName;
  if (context.roomAlias) notification.room_alias = context.roomAlias;
  return { notification };
}

/** A badge update (after a read receipt): counts only, no event. */
export function countsNotification(pusher: PusherRow, badge: Badge): NotifyBody {
  return { notification: { counts: countsOf(badge), devices: [deviceOf(pusher)] } };
}

/**
 * The API's counts. `unread` always, as Synapse sends it (a badge update of 0 is what clears a badge);
 * `missed_calls` only when there are some, as the API asks of zero counts (Synapse never sends it).
 */
function countsOf({ unread, missedCalls }: Badge): { unread: number; missed_calls?: number } {
  return missedCalls > 0 ? { unread, missed_calls: missedCalls } : { unread };
}
