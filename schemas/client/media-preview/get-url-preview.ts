import type { ClientRoute, JsonSchema } from "../client-route.js";

export interface GetUrlPreviewQuery {
  url: string;
  /** Milliseconds since the epoch, as digits (query strings are text). */
  ts?: string;
}

/** Open Graph keys (og:title, og:image, ...) and matrix:image:size; empty when the page has none. */
export type GetUrlPreviewResponse = Record<string, string | number>;

type UrlPreviewRoute = ClientRoute<"required", { query: GetUrlPreviewQuery; response: GetUrlPreviewResponse }>;

// The url is checked by the service (absolute http or https), so that a bad one is M_INVALID_PARAM.
const QUERY: JsonSchema = {
  type: "object",
  required: ["url"],
  properties: {
    url: { type: "string" },
    ts: { type: "string", pattern: "^[0-9]{1,15}$" },
  },
};

/** GET /_matrix/client/v1/media/preview_url (getUrlPreviewAuthed). */
export const getUrlPreviewRoute: UrlPreviewRoute = {
  method: "GET",
  path: "/_matrix/client/v1/media/preview_url",
  auth: "required",
  // Each call may make the server fetch a remote page.
  rateLimited: true,
  query: QUERY,
};

/** GET /_matrix/media/v3/preview_url (getUrlPreview): deprecated, the same operation. */
export const getLegacyUrlPreviewRoute: UrlPreviewRoute = { ...getUrlPreviewRoute, path: "/_matrix/media/v3/preview_url" };
