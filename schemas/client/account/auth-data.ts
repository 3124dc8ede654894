/**
 * The `auth` field of endpoints that use User-Interactive Authentication ("Authentication Data" in the
 * spec): a stage type, the session, and stage-specific keys. Shared by account and device endpoints.
 */
export interface AuthenticationData {
  type?: string;
  session?: string;
  [key: string]: unknown;
}

export const authenticationDataSchema = {
  type: "object",
  properties: {
    type: { type: "string" },
    session: { type: "string" },
  },
} as const;

/** The 401 body of User-Interactive Authentication. */
export interface UiaResponse {
  flows: Array<{ stages: string[] }>;
  params?: Record<string, object>;
  session?: string;
  completed?: string[];
  errcode?: string;
  error?: string;
}
