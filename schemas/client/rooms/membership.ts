import type { ClientRoute } from "../client-route.js";
import { optionalReason, userIdSchema, type JsonValue } from "../common.js";

/** POST /rooms/{roomId}/{invite,kick,ban,unban} */
export const targetedMembershipBody = {
  type: "object",
  required: ["user_id"],
  properties: { user_id: userIdSchema, ...optionalReason },
} as const;

/** POST /rooms/{roomId}/{join,leave}, /join/{roomIdOrAlias} */
export const selfMembershipBody = { type: "object", properties: { ...optionalReason } } as const;

export const roomIdParams = { type: "object", required: ["roomId"], properties: { roomId: { type: "string" } } } as const;

export interface RoomIdParams {
  roomId: string;
}

export interface RoomIdOrAliasParams {
  roomIdOrAlias: string;
}

/** `via` (v1.12+) and the older `server_name` both name servers to join through; both may repeat. */
export interface ServerNamesQuery {
  via?: string | string[];
  server_name?: string | string[];
}

/**
 * The body of join, knock and leave, which clients may send empty or not at all: no schema checks it, the
 * route reads its `reason` itself (and, for a join, keeps its other keys as member event content).
 */
export type SelfMembershipBody = JsonValue | undefined;

export interface TargetedMembershipRequest {
  user_id: string;
  reason?: string;
}

type JoinTypes<Params> = { params: Params; query: ServerNamesQuery; body: SelfMembershipBody; response: { room_id: string } };

export const joinRoomRoute: ClientRoute<"required", JoinTypes<RoomIdOrAliasParams>> = {
  method: "POST",
  path: "/_matrix/client/v3/join/:roomIdOrAlias",
  auth: "required",
  rateLimited: true,
};

export const joinRoomByIdRoute: ClientRoute<"required", JoinTypes<RoomIdParams>> = {
  method: "POST",
  path: "/_matrix/client/v3/rooms/:roomId/join",
  auth: "required",
  rateLimited: true,
  params: roomIdParams,
};

export const knockRoomRoute: ClientRoute<"required", JoinTypes<RoomIdOrAliasParams>> = {
  method: "POST",
  path: "/_matrix/client/v3/knock/:roomIdOrAlias",
  auth: "required",
  rateLimited: true,
};

export const leaveRoomRoute: ClientRoute<"required", { params: RoomIdParams; body: SelfMembershipBody; response: Record<string, never> }> = {
  method: "POST",
  path: "/_matrix/client/v3/rooms/:roomId/leave",
  auth: "required",
  rateLimited: false,
  params: roomIdParams,
};

export const forgetRoomRoute: ClientRoute<"required", { params: RoomIdParams; response: Record<string, never> }> = {
  method: "POST",
  path: "/_matrix/client/v3/rooms/:roomId/forget",
  auth: "required",
  rateLimited: false,
  params: roomIdParams,
};

type TargetedTypes = { params: RoomIdParams; body: TargetedMembershipRequest; response: Record<string, never> };

export const inviteUserRoute: ClientRoute<"required", TargetedTypes> = {
  method: "POST",
  path: "/_matrix/client/v3/rooms/:roomId/invite",
  auth: "required",
  rateLimited: true,
  params: roomIdParams,
  body: targetedMembershipBody,
};

export const kickUserRoute: ClientRoute<"required", TargetedTypes> = {
  method: "POST",
  path: "/_matrix/client/v3/rooms/:roomId/kick",
  auth: "required",
  rateLimited: true,
  params: roomIdParams,
  body: targetedMembershipBody,
};

export const banUserRoute: ClientRoute<"required", TargetedTypes> = {
  method: "POST",
  path: "/_matrix/client/v3/rooms/:roomId/ban",
  auth: "required",
  rateLimited: true,
  params: roomIdParams,
  body: targetedMembershipBody,
};

export const unbanUserRoute: ClientRoute<"required", TargetedTypes> = {
  method: "POST",
  path: "/_matrix/client/v3/rooms/:roomId/unban",
  auth: "required",
  rateLimited: true,
  params: roomIdParams,
  body: targetedMembershipBody,
};
