import type { ErrorObject } from "ajv/dist/2020.js";

/**
 * A way a reference server's responses depart from the spec's schema that the suite tolerates for that server
 * only, so that a run against it still proves the scenarios; Myelin is always held to the schema.
 */
export interface KnownDeviation {
  /** The server kind the deviation applies to, e.g. "synapse". */
  server: string;
  method: string;
  /** The spec's path template. */
  template: string;
  /** Does this schema error come from the deviation? */
  covers(error: ErrorObject): boolean;
  why: string;
}

export const knownDeviations: KnownDeviation[] = [
  {
    server: "synapse",
    method: "GET",
    template: "/_matrix/client/v3/rooms/{roomId}/joined_members",
    covers: (e) =>
      e.keyword === "type" && e.data === null && /^\/joined\/[^/]+\/(avatar_url|display_name)$/.test(e.instancePath),
    why: "Synapse sends avatar_url/display_name as null for members without one; the spec types them as strings (to be omitted when unset)",
  },
  {
    server: "synapse",
    method: "POST",
    template: "/_matrix/client/v3/user_directory/search",
    covers: (e) => e.keyword === "type" && e.data === null && /^\/results\/\d+\/(avatar_url|display_name)$/.test(e.instancePath),
    why: "Synapse sends avatar_url/display_name as null for users without one; the spec types them as strings (to be omitted when unset)",
  },
];

export function deviationsFor(server: string): KnownDeviation[] {
  return knownDeviations.filter((d) => d.server === server);
}
