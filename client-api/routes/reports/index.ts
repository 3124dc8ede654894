import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { reportEventRoute } from "../../../schemas/client/reports/report-event.js";
import { reportRoomRoute } from "../../../schemas/client/reports/report-room.js";
import { reportUserRoute } from "../../../schemas/client/reports/report-user.js";

/** Reports of events, rooms and users (the spec's "Reporting content"), rate limited like other writes. */
export function registerReportsRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, reportEventRoute, async ({ params, body }, requester) => {
    await ctx.services.reports.reportEvent(requester, params.roomId, params.eventId, { reason: body.reason, score: body.score });
    return {};
  });
  defineRoute(app, ctx.guards, reportRoomRoute, async ({ params, body }, requester) => {
    await ctx.services.reports.reportRoom(requester, params.roomId, body.reason);
    return {};
  });
  defineRoute(app, ctx.guards, reportUserRoute, async ({ params, body }, requester) => {
    await ctx.services.reports.reportUser(requester, params.userId, body.reason);
    return {};
  });
}
