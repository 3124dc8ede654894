import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { postReceiptRoute } from "../../../schemas/client/receipts/post-receipt.js";

export function registerPostReceipt(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, postReceiptRoute, async ({ params, body }, requester) => {
    const { roomId, receiptType, eventId } = params;
    await ctx.services.receipts.postReceipt(requester.userId, roomId, receiptType, eventId, body.thread_id);
    ctx.userWasActive(requester.userId);
    return {};
  });
}
