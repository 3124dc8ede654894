/** GET /_matrix/client/versions (getVersions). */
export interface GetVersionsResponse {
  versions: string[];
  unstable_features?: Record<string, boolean>;
}
