import type { PushDevice, PushNotification } from "../../../schemas/push-gateway/notify.js";
import { defaultPayload, essentialFields, firstThatFits, notificationFields } from "../notification-payload.js";

/**
 * Push services must accept 4096 bytes of encrypted body (RFC 8030 7.2). aes128gcm adds an 86-byte header
 * (salt, record size, key id length, the 65-byte sender key), a padding delimiter and a 16-byte tag.
 */
export const WEBPUSH_MAX_PLAINTEXT_BYTES = 4096 - 86 - 1 - 16;

/** The JSON the browser's service worker receives: the notification's fields, without content when too large. */
export function webPushPayload(notification: PushNotification, device: PushDevice): string {
  const base = defaultPayload(device);
  return firstThatFits(
    [
      () => ({ ...base, ...notificationFields(notification, true) }),
      () => ({ ...base, ...notificationFields(notification, false) }),
      () => notificationFields(notification, false),
      () => essentialFields(notification),
    ],
    JSON.stringify,
    WEBPUSH_MAX_PLAINTEXT_BYTES,
  );
}
