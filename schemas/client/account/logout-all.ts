/** POST /_matrix/client/v3/logout/all (logout_all): no body; answers {}. */
export type LogoutAllResponse = Record<string, never>;
