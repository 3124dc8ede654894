import { optionalReason, userIdSchema } from "../common.js";

/** POST /rooms/{roomId}/{invite,kick,ban,unban} */
export const targetedMembershipBody = {
  type: "object",
  required: ["user_id"],
  properties: { user_id: userIdSchema, ...optionalReason },
} as const;

/** POST /rooms/{roomId}/{join,leave}, /join/{roomIdOrAlias} */
export const selfMembershipBody = { type: "object", properties: { ...optionalReason } } as const;

export const roomIdParams = { type: "object", required: ["roomId"], properties: { roomId: { type: "string" } } } as const;
