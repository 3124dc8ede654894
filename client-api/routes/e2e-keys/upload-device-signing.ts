import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { uploadDeviceSigningRoute } from "../../../schemas/client/e2e-keys/upload-device-signing.js";

export function registerUploadDeviceSigning(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, uploadDeviceSigningRoute, async (request, requester) => ctx.services.crossSigning.uploadKeys(requester, request.body));
}
