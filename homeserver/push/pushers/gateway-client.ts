import type { OutgoingHttp } from "../../core/outgoing-http.js";

/** The Push Gateway API's request body (POST /_matrix/push/v1/notify). */
export interface NotifyBody {
  notification: Record<string, unknown> & { devices: Array<Record<string, unknown>> };
}

/** Sends one notification to a push gateway; the loop's tests fake it. */
export interface PushGatewayClient {
  /**
   * Resolves with the pushkeys the gateway rejected (possibly none). Throws GatewayUnavailableError when trying
   * again later may succeed (unreachable, timeout, 5xx, 429, a body that is not the API's); anything else it
   * throws is treated the same way by the loop.
   */
  notify(url: string, body: NotifyBody): Promise<{ rejected: string[] }>;
}

export class GatewayUnavailableError extends Error {
  override name = "GatewayUnavailableError";
}

/** The gateway's answer is a small JSON object; a larger one is not a push gateway's. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * The real client: every request goes through the core's guarded fetcher (the IP range filter checks each
 * address, so a pusher URL cannot reach a private network unless the operator allows it).
 */
export function httpPushGatewayClient(http: OutgoingHttp, timeoutMs: () => number): PushGatewayClient {
  return {
    async notify(url, body) {
      let response;
      try {
        response = await http.fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
          timeoutMs: timeoutMs(),
          maxResponseBytes: MAX_RESPONSE_BYTES,
        });
      } catch (error) {
        // The URL never changes between tries, but a blocked or unresolvable host may be fixed by its operator:
        // Synapse retries those as well, until the pusher gives up on the notification.
        throw new GatewayUnavailableError(`push gateway request failed: ${(error as Error).name}: ${(error as Error).message}`);
      }
      if (response.status < 200 || response.status >= 300) throw new GatewayUnavailableError(`push gateway answered ${response.status}`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(response.body.toString("utf8"));
      } catch {
        throw new GatewayUnavailableError("push gateway answered something that is not JSON");
      }
      const rejected = (parsed as { rejected?: unknown } | null)?.rejected;
      return { rejected: Array.isArray(rejected) ? rejected.filter((k): k is string => typeof k === "string") : [] };
    },
  };
}
