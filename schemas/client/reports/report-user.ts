import type { ClientRoute } from "../client-route.js";

/** POST /_matrix/client/v3/users/{userId}/report (reportUser, v1.14). */
export interface ReportUserParams {
  userId: string;
}

export interface ReportUserBody {
  reason: string;
}

export const reportUserRoute: ClientRoute<"required", { params: ReportUserParams; body: ReportUserBody; response: Record<string, never> }> = {
  method: "POST",
  path: "/_matrix/client/v3/users/:userId/report",
  auth: "required",
  rateLimited: true,
  params: { type: "object", required: ["userId"], properties: { userId: { type: "string", minLength: 1 } } },
  body: { type: "object", required: ["reason"], properties: { reason: { type: "string" } } },
};
