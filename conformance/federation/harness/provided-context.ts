// What the federation suite's global setup hands to the test files through vitest's provide/inject.

export type PeerId = "a" | "b";
export type PeerKind = "myelin" | "synapse";
/**
 * Which pair runs: Myelin + Myelin, Myelin + Synapse, or (to show that the scenarios test Matrix, not Myelin's
 * habits) Synapse + Synapse.
 */
export type PairKind = "myelin" | "synapse" | "synapse-synapse";

/** One homeserver of the federating pair, as the test files see it. */
export interface PeerDescription {
  id: PeerId;
  kind: PeerKind;
  /** e.g. 127.0.0.1:41234; the port is the one its federation listener serves. */
  serverName: string;
  /** Base URL of the client API (plain http), no trailing slash. */
  clientUrl: string;
  /** Base URL other servers reach (http or https), no trailing slash. */
  federationUrl: string;
  logFile: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    /** Server "a" (Myelin, except in the Synapse + Synapse reference run) and server "b" (Myelin or Synapse). */
    federationPeers: PeerDescription[];
    federationPairKind: PairKind;
    /** Base URL of the harness's stop/start control (POST <url>/<id>/stop|start|restart). */
    federationControlUrl: string;
  }
}

export {};
