import type { PushDevice, PushNotification } from "../../schemas/push-gateway/notify.js";

/** What every push service is told about an event, in the names the Push Gateway API uses. */
const EVENT_FIELDS = ["event_id", "room_id", "type", "sender", "sender_display_name", "room_name", "room_alias", "user_is_target", "prio"] as const;

/** A notification with no event id only updates badge counts. */
export function isCountsOnly(notification: PushNotification): boolean {
  return notification.event_id === undefined;
}

/**
 * The notification's fields for a payload, flat as Sygnal sends them (unread and missed_calls beside the event
 * fields), without content when `withContent` is false. A counts-only notification always says `unread`, zero
 * when left out (zero counts are omitted on the wire), so that a badge can be cleared.
 */
export function notificationFields(notification: PushNotification, withContent: boolean): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const name of EVENT_FIELDS) if (notification[name] !== undefined) fields[name] = notification[name];
  if (withContent && notification.content !== undefined) fields.content = notification.content;
  const unread = notification.counts?.unread ?? (isCountsOnly(notification) ? 0 : undefined);
  if (unread !== undefined) fields.unread = unread;
  if (notification.counts?.missed_calls !== undefined) fields.missed_calls = notification.counts.missed_calls;
  return fields;
}

/** The fields nobody can do without: which event and room, and the counts. */
export function essentialFields(notification: PushNotification): Record<string, unknown> {
  const { event_id, room_id, prio, unread, missed_calls } = notificationFields(notification, false);
  return Object.fromEntries(Object.entries({ event_id, room_id, prio, unread, missed_calls }).filter(([, v]) => v !== undefined));
}

/** `data.default_payload` (Sygnal's convention): fields an app asked, at pusher creation, to find in every push. */
export function defaultPayload(device: PushDevice): Record<string, unknown> {
  const value = device.data?.default_payload;
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export const byteLength = (text: string) => Buffer.byteLength(text, "utf8");

/**
 * The first candidate whose serialisation fits `maxBytes`, from the richest to the leanest (content goes first).
 * The last candidate is used even when it does not fit: its fields are bounded by Matrix's own limits.
 */
export function firstThatFits<T>(candidates: Array<() => T>, serialise: (value: T) => string, maxBytes: number): string {
  let text = "";
  for (const build of candidates) {
    text = serialise(build());
    if (byteLength(text) <= maxBytes) return text;
  }
  return text;
}
