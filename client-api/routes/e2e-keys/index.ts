import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { registerClaimKeys } from "./claim-keys.js";
import { registerQueryKeys } from "./query-keys.js";
import { registerUploadKeys } from "./upload-keys.js";
import { registerGetKeyChanges } from "./get-key-changes.js";
import { registerUploadDeviceSigning } from "./upload-device-signing.js";
import { registerUploadSignatures } from "./upload-signatures.js";

/**
 * The device keys of end-to-end encryption: /keys/upload, /keys/query, /keys/claim, /keys/changes, and
 * cross-signing: /keys/device_signing/upload, /keys/signatures/upload.
 */
export function registerE2eKeysRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  registerUploadKeys(app, ctx);
  registerQueryKeys(app, ctx);
  registerClaimKeys(app, ctx);
  registerGetKeyChanges(app, ctx);
  registerUploadDeviceSigning(app, ctx);
  registerUploadSignatures(app, ctx);
}
