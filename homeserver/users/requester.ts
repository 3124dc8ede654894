/** Who is making a client request, once their access token has been checked. */
export interface Requester {
  userId: string;
  deviceId: string;
  isAdmin: boolean;
  /**
   * A guest account: only the endpoints the spec lists for guests, and only rooms that let guests in.
   * Absent means a full account (requesters made inside the server for its own work are never guests).
   */
  isGuest?: boolean;
  /** Hash of the access token used, so logout can revoke exactly that one. */
  tokenHash: string;
}

/** Resolves an access token. Throws M_UNKNOWN_TOKEN (with soft_logout when it merely expired). */
export interface TokenAuthenticator {
  authenticate(accessToken: string): Promise<Requester>;
}

/**
 * Checks again a token that was already authenticated, by the hash its Requester carries: a sync socket does
 * so before every push, and hashing the token each time was 3% of the server's time in a fan-out.
 */
export interface TokenRechecker {
  authenticateHash(tokenHash: string): Promise<Requester>;
}
