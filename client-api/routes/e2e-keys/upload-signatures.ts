import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { uploadSignaturesRoute } from "../../../schemas/client/e2e-keys/upload-signatures.js";

export function registerUploadSignatures(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, uploadSignaturesRoute, async (request, requester) => ctx.services.crossSignatures.upload(requester, request.body));
}
