import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { uploadKeysRoute } from "../../../schemas/client/e2e-keys/upload-keys.js";

export function registerUploadKeys(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, uploadKeysRoute, async (request, requester) =>
    ctx.services.e2eKeys.upload(requester.userId, requester.deviceId, request.body),
  );
}
