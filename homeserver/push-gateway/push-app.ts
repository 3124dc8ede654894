import type { PushDevice, PushNotification } from "../../schemas/push-gateway/notify.js";

/**
 * One configured app (an `app_id`): it turns a notification for one of its devices into a call to its push
 * service. "rejected": the service refused the pushkey for good, so the homeserver must drop the pusher.
 */
export type DeliveryOutcome = "delivered" | "rejected";

export interface PushApp {
  deliver(notification: PushNotification, device: PushDevice): Promise<DeliveryOutcome>;
  close(): Promise<void>;
}

/**
 * The push service could not be reached, failed, or asked us to slow down: worth trying again later. The
 * gateway answers 502 so that the homeserver retries (as Sygnal does). The message never holds secrets.
 */
export class TransientDeliveryError extends Error {
  override name = "TransientDeliveryError";
}
