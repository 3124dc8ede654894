import type { PushDevice, PushNotification } from "../../../schemas/push-gateway/notify.js";
import type { Logger } from "../../core/logger.js";
import { TransientDeliveryError, type DeliveryOutcome, type PushApp } from "../push-app.js";
import type { AccessTokenSource } from "./google-access-token.js";
import { fcmMessage } from "./fcm-message.js";

export interface FcmAppOptions {
  appId: string;
  projectId: string;
  /** e.g. https://fcm.googleapis.com (configured by the operator, not by users). */
  endpoint: string;
  tokens: AccessTokenSource;
  timeoutMs: number;
  logger: Logger;
}

/** FCM's error, as its v1 API documents it: google.rpc.Status with an FcmError detail naming the reason. */
interface FcmErrorBody {
  error?: { status?: string; details?: Array<{ "@type"?: string; errorCode?: string }> };
}

function errorCodeOf(body: FcmErrorBody): string | undefined {
  const detail = body.error?.details?.find((d) => d["@type"]?.endsWith("google.firebase.fcm.v1.FcmError"));
  return detail?.errorCode ?? body.error?.status;
}

/** Tokens FCM says will never work again: the app was uninstalled, or the token was never valid. */
const PERMANENT_TOKEN_ERRORS = new Set(["UNREGISTERED", "INVALID_ARGUMENT"]);

export function createFcmApp(options: FcmAppOptions): PushApp {
  const url = `${options.endpoint.replace(/\/$/, "")}/v1/projects/${encodeURIComponent(options.projectId)}/messages:send`;
  const log = options.logger.child({ app_id: options.appId });

  async function send(body: string, accessToken: string): Promise<{ status: number; errorCode?: string }> {
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json; charset=UTF-8" },
        body,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch {
      throw new TransientDeliveryError("FCM unreachable");
    }
    if (response.ok) {
      await response.body?.cancel();
      return { status: response.status };
    }
    const error = (await response.json().catch(() => ({}))) as FcmErrorBody;
    return { status: response.status, errorCode: errorCodeOf(error) };
  }

  return {
    async deliver(notification: PushNotification, device: PushDevice): Promise<DeliveryOutcome> {
      const body = JSON.stringify({ message: fcmMessage(notification, device) });
      // One retry, with a fresh token, when FCM says ours is no longer good (revoked or expired early).
      for (let attempt = 0; ; attempt++) {
        const accessToken = await options.tokens.get();
        const { status, errorCode } = await send(body, accessToken);
        if (status >= 200 && status < 300) return "delivered";
        if (status === 401 && attempt === 0) {
          options.tokens.invalidate(accessToken);
          continue;
        }
        if (errorCode !== undefined && PERMANENT_TOKEN_ERRORS.has(errorCode)) {
          log.info({ status, error_code: errorCode }, "FCM refused the registration token: rejecting its pushkey");
          return "rejected";
        }
        log.warn({ status, error_code: errorCode }, "FCM did not take the message");
        throw new TransientDeliveryError(`FCM answered ${status}${errorCode ? ` (${errorCode})` : ""}`);
      }
    },
    async close() {},
  };
}
