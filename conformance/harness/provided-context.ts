// What the global setup hands to the test files through vitest's provide/inject.
declare module "vitest" {
  export interface ProvidedContext {
    /** Human name of the server under test, e.g. "myelin (embedded)". */
    conformanceTarget: string;
    /**
     * Which implementation it is ("myelin", "synapse", or for an external server CONFORMANCE_EXTERNAL_KIND):
     * selects the known deviations the schema check tolerates.
     */
    conformanceServerKind: string;
    /** Base URL of the homeserver under test, without trailing slash. */
    conformanceBaseUrl: string;
    /** URL to POST to for a restart of the server under test; "" when the harness cannot restart it. */
    conformanceRestartUrl: string;
  }
}

export {};
