import type { ClientRoute } from "../client-route.js";
import { jsonObjectSchema, userIdSchema, type JsonObject } from "../common.js";

/** POST /_matrix/client/v3/createRoom */
export const createRoomBody = {
  type: "object",
  properties: {
    visibility: { enum: ["public", "private"] },
    room_alias_name: { type: "string", minLength: 1, maxLength: 200 },
    name: { type: "string" },
    topic: { type: "string" },
    invite: { type: "array", items: userIdSchema },
    invite_3pid: { type: "array" },
    room_version: { type: "string" },
    creation_content: jsonObjectSchema,
    initial_state: {
      type: "array",
      items: {
        type: "object",
        required: ["type", "content"],
        properties: { type: { type: "string" }, state_key: { type: "string" }, content: jsonObjectSchema },
      },
    },
    preset: { enum: ["private_chat", "trusted_private_chat", "public_chat"] },
    is_direct: { type: "boolean" },
    power_level_content_override: jsonObjectSchema,
  },
} as const;

export interface CreateRoomRequest {
  visibility?: "public" | "private";
  room_alias_name?: string;
  name?: string;
  topic?: string;
  invite?: string[];
  invite_3pid?: unknown[];
  room_version?: string;
  creation_content?: JsonObject;
  initial_state?: Array<{ type: string; state_key?: string; content: JsonObject }>;
  preset?: "private_chat" | "trusted_private_chat" | "public_chat";
  is_direct?: boolean;
  power_level_content_override?: JsonObject;
}

export interface CreateRoomResponse {
  room_id: string;
}

export const createRoomRoute: ClientRoute<"required", { body: CreateRoomRequest; response: CreateRoomResponse }> = {
  method: "POST",
  path: "/_matrix/client/v3/createRoom",
  auth: "required",
  rateLimited: true,
  body: createRoomBody,
};
