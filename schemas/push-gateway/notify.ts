/**
 * POST /_matrix/push/v1/notify (Push Gateway API, push-gateway.json): what a homeserver's HTTP pusher sends to a
 * push gateway, and the gateway's answer. Shared by the gateway (homeserver/push-gateway) and the pusher side.
 */

export const NOTIFY_PATH = "/_matrix/push/v1/notify";

export interface PushCounts {
  /** Zero counts are left out (the spec: "Counts whose value is zero should be omitted"). */
  unread?: number;
  missed_calls?: number;
}

export interface PushDevice {
  app_id: string;
  pushkey: string;
  /** Seconds since the epoch. */
  pushkey_ts?: number;
  /** The pusher's `data` minus `url`. */
  data?: Record<string, unknown> & { format?: string };
  tweaks?: Record<string, unknown>;
}

export interface PushNotification {
  /** Absent: a counts-only notification (a badge update). */
  event_id?: string;
  room_id?: string;
  type?: string;
  sender?: string;
  sender_display_name?: string;
  room_name?: string;
  room_alias?: string;
  user_is_target?: boolean;
  /** Absent means high. */
  prio?: "high" | "low";
  content?: Record<string, unknown>;
  counts?: PushCounts;
  devices: PushDevice[];
}

export interface NotifyRequest {
  notification: PushNotification;
}

export interface NotifyResponse {
  /** Pushkeys the upstream push service refused for good: the homeserver deletes their pushers. */
  rejected: string[];
}

/** Each request names its devices; Synapse sends one per request. More is refused rather than fanned out. */
export const MAX_DEVICES_PER_NOTIFICATION = 100;

const COUNT = { type: "integer", minimum: 0 } as const;

/** The request body, as push-gateway.json describes it (plus bounds the spec leaves open). */
export const notifyRequestSchema = {
  type: "object",
  required: ["notification"],
  properties: {
    notification: {
      type: "object",
      required: ["devices"],
      properties: {
        event_id: { type: "string" },
        room_id: { type: "string" },
        type: { type: "string" },
        sender: { type: "string" },
        sender_display_name: { type: "string" },
        room_name: { type: "string" },
        room_alias: { type: "string" },
        user_is_target: { type: "boolean" },
        prio: { type: "string", enum: ["high", "low"] },
        content: { type: "object" },
        counts: { type: "object", properties: { unread: COUNT, missed_calls: COUNT } },
        devices: {
          type: "array",
          minItems: 1,
          maxItems: MAX_DEVICES_PER_NOTIFICATION,
          items: {
            type: "object",
            required: ["app_id", "pushkey"],
            properties: {
              app_id: { type: "string", minLength: 1 },
              pushkey: { type: "string", minLength: 1 },
              pushkey_ts: { type: "integer" },
              data: { type: "object", properties: { format: { type: "string" } } },
              tweaks: { type: "object" },
            },
          },
        },
      },
    },
  },
} as const;
