/** GET /_matrix/federation/v1/make_leave/{roomId}/{userId} (makeLeave): answers as make-join.ts's MakeMembershipResponse. */
export type { MakeMembershipResponse as MakeLeaveResponse } from "./make-join.js";
