import type { ClientRoute } from "../../schemas/client/client-route.js";

const V1 = "/_matrix/client/v1";
const V3 = "/_matrix/client/v3";

/**
 * The endpoints a guest account may call with its token: those the spec's guest access module lists, plus
 * the few more Synapse opens to guests (joining by alias, /joined_rooms, /publicRooms, /capabilities, the
 * room hierarchy, TURN). Keyed by method and the route's v3 path, so the r0 copy of a route follows it.
 * Endpoints that need no token (register, login, versions, profile lookups) admit guests like anyone.
 * Everything else answers 403 M_GUEST_ACCESS_FORBIDDEN, as in Synapse (account data, filters, push rules,
 * typing, receipts and logout included: Synapse refuses those to guests too).
 */
const GUEST_ROUTES: ReadonlyArray<readonly [method: string, path: string]> = [
  // Reading rooms.
  ["GET", `${V3}/rooms/:roomId/state`],
  ["GET", `${V3}/rooms/:roomId/state/:eventType`],
  ["GET", `${V3}/rooms/:roomId/state/:eventType/:stateKey`],
  ["GET", `${V3}/rooms/:roomId/context/:eventId`],
  ["GET", `${V3}/rooms/:roomId/event/:eventId`],
  ["GET", `${V3}/rooms/:roomId/messages`],
  ["GET", `${V3}/rooms/:roomId/members`],
  ["GET", `${V3}/rooms/:roomId/initialSync`],
  ["GET", `${V3}/sync`],
  ["GET", "/_matrix/client/unstable/org.myelin.sync_ws"],
  ["GET", `${V3}/events`],
  ["GET", `${V1}/media/download/:serverName/:mediaId`],
  ["GET", `${V1}/media/download/:serverName/:mediaId/:fileName`],
  ["GET", `${V1}/media/thumbnail/:serverName/:mediaId`],
  // Taking part.
  ["POST", `${V3}/rooms/:roomId/join`],
  ["POST", `${V3}/join/:roomIdOrAlias`],
  ["POST", `${V3}/rooms/:roomId/leave`],
  ["POST", `${V3}/rooms/:roomId/send/:eventType`],
  ["PUT", `${V3}/rooms/:roomId/send/:eventType/:txnId`],
  ["PUT", `${V3}/rooms/:roomId/state/:eventType`],
  ["PUT", `${V3}/rooms/:roomId/state/:eventType/:stateKey`],
  ["PUT", `${V3}/sendToDevice/:eventType/:txnId`],
  // Their own account.
  ["PUT", `${V3}/profile/:userId/displayname`],
  ["GET", `${V3}/devices`],
  ["GET", `${V3}/devices/:deviceId`],
  ["PUT", `${V3}/devices/:deviceId`],
  ["GET", `${V3}/account/whoami`],
  // End-to-end encryption.
  ["POST", `${V3}/keys/upload`],
  ["POST", `${V3}/keys/query`],
  ["POST", `${V3}/keys/claim`],
  // Opened by Synapse as well.
  ["GET", `${V3}/joined_rooms`],
  ["GET", `${V3}/publicRooms`],
  ["POST", `${V3}/publicRooms`],
  ["GET", `${V3}/capabilities`],
  ["GET", `${V1}/rooms/:roomId/hierarchy`],
  ["GET", `${V3}/voip/turnServer`],
];

const ALLOWED = new Set(GUEST_ROUTES.map(([method, path]) => `${method} ${path}`));
const PROFILE_FIELD = `${V3}/profile/:userId/:keyName`;

/**
 * Whether a guest may make this request. Only guests' requests ask, after their token is checked. Profile
 * fields share one route (`:keyName`), and of those a guest may set only its display name.
 */
export function guestMayCall(route: Pick<ClientRoute, "method" | "path" | "auth">, params: unknown): boolean {
  if (route.auth === "optional" || route.auth === "none") return true;
  let path = route.path;
  if (path === PROFILE_FIELD) path = `${V3}/profile/:userId/${String((params as { keyName?: unknown } | undefined)?.keyName)}`;
  return ALLOWED.has(`${route.method} ${path}`);
}
