import type { ClientRoute } from "../client-route.js";

/** The path of an mxc:// URI: its server name and media id (and, for downloads, a file name to suggest). */
export interface MediaParams {
  serverName: string;
  mediaId: string;
  fileName?: string;
}

export interface DownloadQuery {
  timeout_ms?: number;
  /** Legacy endpoints only: whether to fetch another server's media (always false for our answer here). */
  allow_remote?: boolean;
  allow_redirect?: boolean;
}

export interface ThumbnailQuery extends DownloadQuery {
  width: number;
  height: number;
  method?: "crop" | "scale";
  animated?: boolean;
}

export interface UploadQuery {
  filename?: string;
}

const mediaParams = {
  type: "object",
  required: ["serverName", "mediaId"],
  properties: { serverName: { type: "string" }, mediaId: { type: "string" }, fileName: { type: "string" } },
} as const;

const downloadQuery = {
  type: "object",
  properties: {
    timeout_ms: { type: "integer", minimum: 0, maximum: 9007199254740991 },
    allow_remote: { type: "boolean" },
    allow_redirect: { type: "boolean" },
  },
} as const;

const thumbnailQuery = {
  type: "object",
  required: ["width", "height"],
  properties: {
    ...downloadQuery.properties,
    width: { type: "integer", minimum: 1, maximum: 100_000 },
    height: { type: "integer", minimum: 1, maximum: 100_000 },
    method: { enum: ["crop", "scale"] },
    animated: { type: "boolean" },
  },
} as const;

const uploadQuery = { type: "object", properties: { filename: { type: "string", maxLength: 1024 } } } as const;

type Download = { params: MediaParams; query: DownloadQuery; response: unknown };
type Thumbnail = { params: MediaParams; query: ThumbnailQuery; response: unknown };

const CLIENT_V1 = "/_matrix/client/v1/media";
const MEDIA_V3 = "/_matrix/media/v3";

/** GET /_matrix/client/v1/media/config (getConfigAuthed). */
export const getConfigRoute: ClientRoute<"required", { response: { "m.upload.size": number } }> = {
  method: "GET",
  path: `${CLIENT_V1}/config`,
  auth: "required",
  rateLimited: true,
};

/** GET /_matrix/media/v3/config (getConfig, deprecated; it always needed a token). */
export const getLegacyConfigRoute: ClientRoute<"required", { response: { "m.upload.size": number } }> = { ...getConfigRoute, path: `${MEDIA_V3}/config` };

/** POST /_matrix/media/v3/upload (uploadContent): the body is the file, of any Content-Type. */
export const uploadRoute: ClientRoute<"required", { query: UploadQuery; response: { content_uri: string } }> = {
  method: "POST",
  path: `${MEDIA_V3}/upload`,
  auth: "required",
  rateLimited: true,
  query: uploadQuery,
};

/** POST /_matrix/media/v1/create (createContent): an mxc:// URI to upload to later. */
export const createRoute: ClientRoute<"required", { response: { content_uri: string; unused_expires_at: number } }> = {
  method: "POST",
  path: "/_matrix/media/v1/create",
  auth: "required",
  rateLimited: true,
};

/** PUT /_matrix/media/v3/upload/{serverName}/{mediaId} (uploadContentToMXC). */
export const uploadToRoute: ClientRoute<"required", { params: MediaParams; query: UploadQuery; response: Record<string, never> }> = {
  method: "PUT",
  path: `${MEDIA_V3}/upload/:serverName/:mediaId`,
  auth: "required",
  rateLimited: true,
  params: mediaParams,
  query: uploadQuery,
};

/** GET /_matrix/client/v1/media/download/{serverName}/{mediaId} (getContent_authed). */
export const downloadRoute: ClientRoute<"required", Download> = {
  method: "GET",
  path: `${CLIENT_V1}/download/:serverName/:mediaId`,
  auth: "required",
  rateLimited: true,
  params: mediaParams,
  query: downloadQuery,
};

/** GET /_matrix/client/v1/media/download/{serverName}/{mediaId}/{fileName} (getContentOverrideName_authed). */
export const downloadNamedRoute: ClientRoute<"required", Download> = { ...downloadRoute, path: `${CLIENT_V1}/download/:serverName/:mediaId/:fileName` };

/** GET /_matrix/client/v1/media/thumbnail/{serverName}/{mediaId} (getContentThumbnail_authed). */
export const thumbnailRoute: ClientRoute<"required", Thumbnail> = {
  method: "GET",
  path: `${CLIENT_V1}/thumbnail/:serverName/:mediaId`,
  auth: "required",
  rateLimited: true,
  params: mediaParams,
  query: thumbnailQuery,
};

/** GET /_matrix/media/v3/download/{serverName}/{mediaId} (deprecated, unauthenticated: old media only). */
export const legacyDownloadRoute: ClientRoute<"none", Download> = {
  method: "GET",
  path: `${MEDIA_V3}/download/:serverName/:mediaId`,
  auth: "none",
  rateLimited: true,
  params: mediaParams,
  query: downloadQuery,
};

export const legacyDownloadNamedRoute: ClientRoute<"none", Download> = { ...legacyDownloadRoute, path: `${MEDIA_V3}/download/:serverName/:mediaId/:fileName` };

/** GET /_matrix/media/v3/thumbnail/{serverName}/{mediaId} (deprecated, unauthenticated: old media only). */
export const legacyThumbnailRoute: ClientRoute<"none", Thumbnail> = {
  method: "GET",
  path: `${MEDIA_V3}/thumbnail/:serverName/:mediaId`,
  auth: "none",
  rateLimited: true,
  params: mediaParams,
  query: thumbnailQuery,
};
