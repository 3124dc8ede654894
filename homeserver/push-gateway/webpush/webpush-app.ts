import webPush, { type PushSubscription, type RequestDetails } from "web-push";
import type { PushDevice, PushNotification } from "../../../schemas/push-gateway/notify.js";
import { BlockedDestinationError, UnresolvableHostError, type OutgoingHttp } from "../../core/outgoing-http.js";
import type { Logger } from "../../core/logger.js";
import type { VapidKeys } from "../config/app-credentials.js";
import { isCountsOnly } from "../notification-payload.js";
import { TransientDeliveryError, type DeliveryOutcome, type PushApp } from "../push-app.js";
import { webPushPayload } from "./webpush-payload.js";

export interface WebPushAppOptions {
  appId: string;
  vapid: VapidKeys;
  contact: string;
  ttlSeconds: number;
  /** The endpoint is the subscriber's URL: it goes through the IP range filter like any user-supplied URL. */
  http: OutgoingHttp;
  timeoutMs: number;
  logger: Logger;
}

/** A pending badge update is replaced by a newer one at the push service instead of queuing behind it. */
const COUNTS_TOPIC = "unread-counts";
/** A push service's answer is a status and little else. */
const MAX_RESPONSE_BYTES = 64 * 1024;

const P256_PUBLIC_KEY_BYTES = 65;
const AUTH_SECRET_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

/**
 * The subscription, by Sygnal's convention: the pushkey is the subscription's `p256dh` key, `data.endpoint`
 * and `data.auth` carry the rest. Anything missing or malformed cannot ever be delivered to.
 */
function subscriptionOf(device: PushDevice): PushSubscription | undefined {
  const endpoint = device.data?.endpoint;
  const auth = device.data?.auth;
  if (typeof endpoint !== "string" || typeof auth !== "string") return undefined;
  if (!decodesTo(device.pushkey, P256_PUBLIC_KEY_BYTES) || !decodesTo(auth, AUTH_SECRET_BYTES)) return undefined;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return undefined;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
  return { endpoint, keys: { p256dh: device.pushkey, auth } };
}

function decodesTo(text: string, bytes: number): boolean {
  return BASE64URL.test(text) && Buffer.from(text, "base64url").length === bytes;
}

function vapidSubject(contact: string): string {
  return /^(mailto|https):/.test(contact) ? contact : `mailto:${contact}`;
}

export function createWebPushApp(options: WebPushAppOptions): PushApp {
  const vapidDetails = { subject: vapidSubject(options.contact), publicKey: options.vapid.publicKey, privateKey: options.vapid.privateKey };
  const log = options.logger.child({ app_id: options.appId });

  return {
    async deliver(notification: PushNotification, device: PushDevice): Promise<DeliveryOutcome> {
      const subscription = subscriptionOf(device);
      if (!subscription) {
        log.info("rejecting a WebPush pushkey: the subscription (pushkey = p256dh, data.endpoint, data.auth) is incomplete or malformed");
        return "rejected";
      }
      const countsOnly = isCountsOnly(notification);
      let details: RequestDetails;
      try {
        details = webPush.generateRequestDetails(subscription, webPushPayload(notification, device), {
          vapidDetails,
          TTL: options.ttlSeconds,
          contentEncoding: "aes128gcm",
          urgency: notification.prio === "low" ? "low" : countsOnly ? "normal" : "high",
          ...(countsOnly ? { topic: COUNTS_TOPIC } : {}),
        });
      } catch {
        // The p256dh key is not a point on the curve: no message can ever be encrypted to it.
        log.info("rejecting a WebPush pushkey: its p256dh key cannot be used for encryption");
        return "rejected";
      }
      const headers = Object.fromEntries(
        Object.entries(details.headers)
          .filter(([name]) => name.toLowerCase() !== "content-length")
          .map(([name, value]) => [name.toLowerCase(), String(value)]),
      );
      const host = new URL(subscription.endpoint).host;
      let status: number;
      try {
        ({ status } = await options.http.fetch(subscription.endpoint, {
          method: "POST",
          headers,
          body: details.body ?? undefined,
          timeoutMs: options.timeoutMs,
          maxResponseBytes: MAX_RESPONSE_BYTES,
        }));
      } catch (error) {
        // A name that does not resolve may be a passing DNS failure; an address in a blocked range stays blocked.
        if (error instanceof BlockedDestinationError && !(error instanceof UnresolvableHostError)) {
          log.info({ host }, "rejecting a WebPush pushkey: its endpoint is not an address the gateway may reach");
          return "rejected";
        }
        log.warn({ host, err: { name: (error as Error).name, message: (error as Error).message } }, "WebPush endpoint unreachable");
        throw new TransientDeliveryError(`WebPush endpoint ${host} unreachable`);
      }
      // RFC 8030 8.3: 404 and 410 mean the subscription is gone for good.
      if (status === 404 || status === 410) {
        log.info({ host, status }, "WebPush subscription expired: rejecting its pushkey");
        return "rejected";
      }
      if (status >= 200 && status < 300) return "delivered";
      log.warn({ host, status }, "WebPush endpoint refused the message");
      throw new TransientDeliveryError(`WebPush endpoint ${host} answered ${status}`);
    },
    async close() {},
  };
}
