/** GET /.well-known/matrix/client (getWellknown). */
export interface DiscoveryInformation {
  "m.homeserver": { base_url: string };
  "m.identity_server"?: { base_url: string };
  [key: string]: unknown;
}
