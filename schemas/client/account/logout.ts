/** POST /_matrix/client/v3/logout (logout): no body; answers {}. */
export type LogoutResponse = Record<string, never>;
