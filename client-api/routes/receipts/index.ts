import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { registerPostReceipt } from "./post-receipt.js";
import { registerSetReadMarkers } from "./set-read-markers.js";

/** Receipts and read markers: POST /receipt/{receiptType}/{eventId}, POST /read_markers. */
export function registerReceiptsRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  registerPostReceipt(app, ctx);
  registerSetReadMarkers(app, ctx);
}
