/** GET /_matrix/federation/v1/media/download/{mediaId} and /thumbnail/{mediaId}: our media, for other servers. */
export interface FederationMediaParams {
  mediaId: string;
}

export interface FederationDownloadQuery {
  timeout_ms?: number;
}

export interface FederationThumbnailQuery extends FederationDownloadQuery {
  width: number;
  height: number;
  method?: "crop" | "scale";
  animated?: boolean;
}

export const federationMediaParams = {
  type: "object",
  required: ["mediaId"],
  properties: { mediaId: { type: "string" } },
} as const;

export const federationDownloadQuery = {
  type: "object",
  properties: { timeout_ms: { type: "integer", minimum: 0, maximum: 9007199254740991 } },
} as const;

export const federationThumbnailQuery = {
  type: "object",
  required: ["width", "height"],
  properties: {
    ...federationDownloadQuery.properties,
    width: { type: "integer", minimum: 1, maximum: 100_000 },
    height: { type: "integer", minimum: 1, maximum: 100_000 },
    method: { enum: ["crop", "scale"] },
    animated: { type: "boolean" },
  },
} as const;
