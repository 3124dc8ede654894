import type { ClientRoute } from "../client-route.js";

/**
 * POST /_matrix/client/v3/keys/signatures/upload (uploadCrossSigningSignatures): user id -> key id (a device
 * id, or a master key's public key) -> the signed object, as stored, with the new signatures.
 */
export type UploadSignaturesBody = Record<string, Record<string, Record<string, unknown>>>;

/** Why one signature was not stored: the spec's errcode and error, and the status Synapse adds. */
export interface SignatureFailure {
  errcode: string;
  error: string;
  status: number;
}

export interface UploadSignaturesResponse {
  /** User id -> key id -> why that object's signatures were refused. Empty when all were stored. */
  failures: Record<string, Record<string, SignatureFailure>>;
}

export const uploadSignaturesRoute: ClientRoute<"required", { body: UploadSignaturesBody; response: UploadSignaturesResponse }> = {
  method: "POST",
  path: "/_matrix/client/v3/keys/signatures/upload",
  auth: "required",
  rateLimited: false,
  // Only the envelope: what each entry must be is checked per entry, and Synapse answers M_INVALID_PARAM for it.
  body: { type: "object" },
};
