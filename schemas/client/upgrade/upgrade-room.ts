import type { ClientRoute } from "../client-route.js";

/** POST /_matrix/client/v3/rooms/{roomId}/upgrade */
export const upgradeRoomParams = {
  type: "object",
  required: ["roomId"],
  properties: { roomId: { type: "string", minLength: 1 } },
} as const;

export const upgradeRoomBody = {
  type: "object",
  required: ["new_version"],
  properties: {
    new_version: { type: "string" },
    additional_creators: { type: "array", items: { type: "string" } },
  },
} as const;

export interface UpgradeRoomParams {
  roomId: string;
}

export interface UpgradeRoomRequest {
  new_version: string;
  /** Used only when the new version has room creators (v12): the whole set besides the upgrading user. */
  additional_creators?: string[];
}

export interface UpgradeRoomResponse {
  replacement_room: string;
}

export const upgradeRoomRoute: ClientRoute<"required", { params: UpgradeRoomParams; body: UpgradeRoomRequest; response: UpgradeRoomResponse }> = {
  method: "POST",
  path: "/_matrix/client/v3/rooms/:roomId/upgrade",
  auth: "required",
  rateLimited: true,
  params: upgradeRoomParams,
  body: upgradeRoomBody,
};
