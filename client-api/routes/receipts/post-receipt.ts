import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { postReceiptBody, postReceiptParams, type PostReceiptParams, type PostReceiptRequest } from "../../../schemas/client/receipts/post-receipt.js";

export function registerPostReceipt(app: FastifyInstance, ctx: ClientApiContext): void {
  app.post(
    "/_matrix/client/v3/rooms/:roomId/receipt/:receiptType/:eventId",
    { schema: { params: postReceiptParams, body: postReceiptBody } },
    async (request) => {
      const requester = await ctx.auth(request);
      const { roomId, receiptType, eventId } = request.params as PostReceiptParams;
      const body = request.body as PostReceiptRequest;
      ctx.rateLimit(requester.userId);
      await ctx.app.edus.receipts.postReceipt(requester.userId, roomId, receiptType, eventId, body.thread_id);
      ctx.userWasActive(requester.userId);
      return {};
    },
  );
}
