import type { PushDevice, PushNotification } from "../../../schemas/push-gateway/notify.js";
import { defaultPayload, essentialFields, firstThatFits, notificationFields } from "../notification-payload.js";

/** FCM refuses messages whose data is larger than 4096 bytes. */
export const FCM_MAX_DATA_BYTES = 4096;

/** FCM data maps strings to strings: numbers and booleans as their text, objects (content) as JSON. */
function asStrings(fields: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]));
}

/** The `message` of a v1 messages:send request: a data message, so that the app decides what to show. */
export function fcmMessage(notification: PushNotification, device: PushDevice): Record<string, unknown> {
  const base = defaultPayload(device);
  const data = firstThatFits(
    [
      () => asStrings({ ...base, ...notificationFields(notification, true) }),
      () => asStrings({ ...base, ...notificationFields(notification, false) }),
      () => asStrings(notificationFields(notification, false)),
      () => asStrings(essentialFields(notification)),
    ],
    JSON.stringify,
    FCM_MAX_DATA_BYTES,
  );
  return {
    token: device.pushkey,
    data: JSON.parse(data) as Record<string, string>,
    // High priority wakes a dozing Android device; "low" notifications and badge updates can wait.
    android: { priority: notification.prio === "low" || notification.event_id === undefined ? "normal" : "high" },
  };
}
