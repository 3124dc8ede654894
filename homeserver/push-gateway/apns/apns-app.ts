import type { PushDevice, PushNotification } from "../../../schemas/push-gateway/notify.js";
import type { Logger } from "../../core/logger.js";
import { TransientDeliveryError, type DeliveryOutcome, type PushApp } from "../push-app.js";
import { apnsRequest } from "./apns-payload.js";
import type { ProviderTokens } from "./apns-provider-token.js";
import { Http2Origin } from "./http2-origin.js";

export interface ApnsAppOptions {
  appId: string;
  /** https://api.push.apple.com, the sandbox, or (tests) a local h2c stand-in. */
  endpoint: string;
  topic: string;
  tokens: ProviderTokens;
  timeoutMs: number;
  logger: Logger;
}

/** Reasons (with 400) that mean the token is no good for this app, ever; 410 always does. */
const PERMANENT_TOKEN_REASONS = new Set(["BadDeviceToken", "Unregistered"]);
/** Reasons (with 403) that a fresh provider token cures. */
const PROVIDER_TOKEN_REASONS = new Set(["ExpiredProviderToken", "InvalidProviderToken"]);

/**
 * The device token APNs wants is hex. iOS apps hand Matrix the token's bytes in base64 (Sygnal decodes it so);
 * a pushkey that already is the hex token (64 or more hex digits, which no 32-byte base64 token looks like)
 * is taken as it is.
 */
export function apnsDeviceToken(pushkey: string): string | undefined {
  if (/^[0-9a-fA-F]{64,}$/.test(pushkey) && pushkey.length % 2 === 0) return pushkey.toLowerCase();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(pushkey)) return undefined;
  const bytes = Buffer.from(pushkey, "base64");
  return bytes.length >= 8 ? bytes.toString("hex") : undefined;
}

export function createApnsApp(options: ApnsAppOptions): PushApp {
  const origin = new Http2Origin(options.endpoint.replace(/\/$/, ""), options.timeoutMs);
  const log = options.logger.child({ app_id: options.appId });

  return {
    async deliver(notification: PushNotification, device: PushDevice): Promise<DeliveryOutcome> {
      const token = apnsDeviceToken(device.pushkey);
      if (!token) {
        log.info("rejecting an APNs pushkey: it is not a device token");
        return "rejected";
      }
      const request = apnsRequest(notification, device);
      for (let attempt = 0; ; attempt++) {
        const providerToken = options.tokens.get();
        let answer;
        try {
          answer = await origin.request(
            {
              ":path": `/3/device/${token}`,
              authorization: `bearer ${providerToken}`,
              "apns-topic": options.topic,
              "apns-push-type": request.pushType,
              "apns-priority": String(request.priority),
              ...(request.collapseId ? { "apns-collapse-id": request.collapseId } : {}),
              "content-type": "application/json",
            },
            request.payload,
          );
        } catch {
          throw new TransientDeliveryError("APNs unreachable");
        }
        if (answer.status === 200) return "delivered";
        const reason = ((): string | undefined => {
          try {
            const parsed = JSON.parse(answer.body) as { reason?: unknown };
            return typeof parsed.reason === "string" ? parsed.reason : undefined;
          } catch {
            return undefined;
          }
        })();
        if (answer.status === 403 && reason && PROVIDER_TOKEN_REASONS.has(reason) && attempt === 0) {
          options.tokens.invalidate(providerToken);
          continue;
        }
        if (answer.status === 410 || (answer.status === 400 && reason && PERMANENT_TOKEN_REASONS.has(reason))) {
          log.info({ status: answer.status, reason }, "APNs refused the device token: rejecting its pushkey");
          return "rejected";
        }
        log.warn({ status: answer.status, reason }, "APNs did not take the notification");
        throw new TransientDeliveryError(`APNs answered ${answer.status}${reason ? ` (${reason})` : ""}`);
      }
    },
    close: () => origin.close(),
  };
}
