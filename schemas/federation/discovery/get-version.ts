/** GET /_matrix/federation/v1/version (getVersion). */
export interface GetVersionResponse {
  server: { name: string; version: string };
}
