import type { ClientRoute } from "../client-route.js";
import type { Filter } from "./define-filter.js";

/** GET /_matrix/client/v3/user/{userId}/filter/{filterId} (getFilter): answers the stored Filter. */
export type { Filter as GetFilterResponse } from "./define-filter.js";

export interface GetFilterParams {
  userId: string;
  filterId: string;
}

export const getFilterParamsSchema = {
  type: "object",
  required: ["userId", "filterId"],
  properties: { userId: { type: "string" }, filterId: { type: "string" } },
} as const;

export const getFilterRoute: ClientRoute<"required", { params: GetFilterParams; response: Filter }> = {
  method: "GET",
  path: "/_matrix/client/v3/user/:userId/filter/:filterId",
  auth: "required",
  rateLimited: false,
  params: getFilterParamsSchema,
};
