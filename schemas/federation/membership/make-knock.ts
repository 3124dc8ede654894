/** GET /_matrix/federation/v1/make_knock/{roomId}/{userId}?ver= (makeKnock): answers as make-join.ts's MakeMembershipResponse. */
export type { MakeMembershipResponse as MakeKnockResponse } from "./make-join.js";

export const makeKnockQuery = {
  type: "object",
  required: ["ver"],
  properties: { ver: { type: "array", items: { type: "string" } } },
} as const;

export interface MakeKnockQuery {
  ver: string[];
}
