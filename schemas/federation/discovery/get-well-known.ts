/** GET /.well-known/matrix/server (getWellKnown): where federation for a server name is delegated to. */
export interface ServerWellKnown {
  /** `<hostname>[:<port>]`, with the server name grammar. */
  "m.server": string;
  [key: string]: unknown;
}
