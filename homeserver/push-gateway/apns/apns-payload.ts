import type { PushDevice, PushNotification } from "../../../schemas/push-gateway/notify.js";
import { defaultPayload, firstThatFits, isCountsOnly } from "../notification-payload.js";

/** APNs refuses payloads larger than 4096 bytes (PayloadTooLarge). */
export const APNS_MAX_PAYLOAD_BYTES = 4096;

export interface ApnsRequest {
  payload: string;
  /** alert: shows something, sets the badge or plays a sound; background: content-available only. */
  pushType: "alert" | "background";
  /** 10: at once; 5: when the device's power allows (badge updates, prio low; always for background). */
  priority: 10 | 5;
  /** Badge updates replace each other on the device instead of piling up. */
  collapseId?: string;
}

/** A readable line for the lock screen; an app that wants its own strings sets `default_payload.aps`. */
function alertOf(notification: PushNotification, withContent: boolean): { title?: string; body: string } {
  const who = notification.sender_display_name ?? notification.sender;
  const title = notification.room_name ?? who;
  const text = withContent && typeof notification.content?.body === "string" ? notification.content.body : undefined;
  if (text !== undefined) return { ...(title ? { title } : {}), body: notification.room_name && who ? `${who}: ${text}` : text };
  if (notification.type === "m.room.member" && notification.user_is_target) return { ...(title ? { title } : {}), body: "Invitation" };
  return { ...(title ? { title } : {}), body: "New message" };
}

function soundOf(device: PushDevice): string | undefined {
  const sound = device.tweaks?.sound;
  return typeof sound === "string" ? sound : undefined;
}

/**
 * The JSON body and headers of a push. Event fields go beside `aps`, so that a notification service
 * extension can fetch the event (`mutable-content`), as Element's does with event_id_only pushers.
 */
export function apnsRequest(notification: PushNotification, device: PushDevice): ApnsRequest {
  const countsOnly = isCountsOnly(notification);
  const base = defaultPayload(device);
  const baseAps = typeof base.aps === "object" && base.aps !== null ? (base.aps as Record<string, unknown>) : {};
  const badge = notification.counts?.unread ?? 0;
  const custom = {
    ...(notification.event_id !== undefined ? { event_id: notification.event_id } : {}),
    ...(notification.room_id !== undefined ? { room_id: notification.room_id } : {}),
    unread_count: badge,
    ...(notification.counts?.missed_calls !== undefined ? { missed_calls: notification.counts.missed_calls } : {}),
  };
  // An app that asked for content-available alone wants silent pushes: Apple allows no alert, sound or badge
  // in those, so the app reads unread_count beside aps.
  const silent = baseAps["content-available"] === 1 && !("alert" in baseAps || "sound" in baseAps || "badge" in baseAps);
  const build = (withContent: boolean, withDefaults: boolean) => {
    const aps: Record<string, unknown> = withDefaults || silent ? { ...baseAps } : {};
    if (silent) return { ...(withDefaults ? base : {}), ...custom, aps };
    aps.badge = badge;
    if (!countsOnly) {
      aps.alert ??= alertOf(notification, withContent);
      aps["mutable-content"] ??= 1;
      const sound = soundOf(device);
      if (sound !== undefined) aps.sound ??= sound;
    }
    return { ...(withDefaults ? base : {}), ...custom, aps };
  };
  const payload = firstThatFits([() => build(true, true), () => build(false, true), () => build(false, false)], JSON.stringify, APNS_MAX_PAYLOAD_BYTES);
  const aps = (JSON.parse(payload) as { aps: Record<string, unknown> }).aps;
  const pushType = "alert" in aps || "badge" in aps || "sound" in aps ? "alert" : "background";
  const urgent = pushType === "alert" && !countsOnly && notification.prio !== "low";
  return { payload, pushType, priority: urgent ? 10 : 5, ...(countsOnly ? { collapseId: "unread-counts" } : {}) };
}
