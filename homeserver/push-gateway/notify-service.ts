import type { NotifyResponse, PushDevice, PushNotification } from "../../schemas/push-gateway/notify.js";
import type { Logger } from "../core/logger.js";
import { LruCache } from "../core/lru-cache.js";
import { TransientDeliveryError, type DeliveryOutcome, type PushApp } from "./push-app.js";

/** Deliveries remembered for duplicate suppression: far more than one retry window's worth. */
const DELIVERED_MEMORY = 50_000;

/** Some push service failed in a way worth retrying: the whole request is answered 502. */
export class RetryLaterError extends Error {
  override name = "RetryLaterError";
}

/**
 * Hands each device of a notification to the app its app_id names, all at once, and collects the pushkeys
 * refused for good. When any delivery failed transiently the homeserver must try again (502); the devices
 * already reached are remembered by event id, as the spec asks, so that the retry does not alert them twice.
 * Counts-only notifications are idempotent and are sent again.
 */
export class NotifyService {
  private readonly delivered = new LruCache<string, true>(DELIVERED_MEMORY);
  private readonly inFlight = new Map<string, Promise<DeliveryOutcome>>();

  constructor(
    private readonly apps: ReadonlyMap<string, PushApp>,
    private readonly logger: Logger,
  ) {}

  async notify(notification: PushNotification): Promise<NotifyResponse> {
    const results = await Promise.allSettled(notification.devices.map((device) => this.deliverOnce(notification, device)));
    const rejected = new Set<string>();
    let transient = 0;
    results.forEach((result, i) => {
      if (result.status === "fulfilled") {
        if (result.value === "rejected") rejected.add(notification.devices[i].pushkey);
      } else if (result.reason instanceof TransientDeliveryError) transient++;
      else throw result.reason;
    });
    if (transient > 0) throw new RetryLaterError(`${transient} of ${notification.devices.length} deliveries failed for now`);
    return { rejected: [...rejected] };
  }

  private deliverOnce(notification: PushNotification, device: PushDevice): Promise<DeliveryOutcome> {
    const app = this.apps.get(device.app_id);
    if (!app) {
      // As Sygnal: a pushkey of an app this gateway does not serve can never be delivered here.
      this.logger.info({ app_id: device.app_id }, "rejecting a pushkey of an app this gateway does not serve");
      return Promise.resolve("rejected");
    }
    if (notification.event_id === undefined) return app.deliver(notification, device);
    const key = JSON.stringify([device.app_id, device.pushkey, notification.event_id]);
    if (this.delivered.has(key)) return Promise.resolve("delivered");
    const running = this.inFlight.get(key);
    if (running) return running;
    const delivery = app
      .deliver(notification, device)
      .then((outcome) => {
        if (outcome === "delivered") this.delivered.set(key, true);
        return outcome;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, delivery);
    return delivery;
  }
}
