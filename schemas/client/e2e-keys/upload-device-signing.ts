import type { ClientRoute } from "../client-route.js";
import { authenticationDataSchema, type AuthenticationData } from "../account/auth-data.js";
import { crossSigningKeySchema, type CrossSigningKey } from "./cross-signing-key.js";

/** POST /_matrix/client/v3/keys/device_signing/upload (uploadCrossSigningKeys): the user's cross-signing keys. */
export interface UploadDeviceSigningBody {
  master_key?: CrossSigningKey;
  /** Signed by the master key of this request, or by the stored one when this request has none. */
  self_signing_key?: CrossSigningKey;
  user_signing_key?: CrossSigningKey;
  auth?: AuthenticationData;
}

export const uploadDeviceSigningRoute: ClientRoute<"required", { body: UploadDeviceSigningBody; response: Record<string, never> }> = {
  method: "POST",
  path: "/_matrix/client/v3/keys/device_signing/upload",
  auth: "required",
  rateLimited: false,
  body: {
    type: "object",
    properties: {
      master_key: crossSigningKeySchema,
      self_signing_key: crossSigningKeySchema,
      user_signing_key: crossSigningKeySchema,
      auth: authenticationDataSchema,
    },
  },
};
