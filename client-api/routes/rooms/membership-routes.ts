import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { errors } from "../../../homeserver/errors.js";
import type { Requester } from "../../../homeserver/users/requester.js";
import type { JsonObject } from "../../../schemas/client/common.js";
import {
  banUserRoute,
  forgetRoomRoute,
  inviteUserRoute,
  joinRoomByIdRoute,
  joinRoomRoute,
  kickUserRoute,
  knockRoomRoute,
  leaveRoomRoute,
  unbanUserRoute,
  type SelfMembershipBody,
  type ServerNamesQuery,
} from "../../../schemas/client/rooms/membership.js";

/** The body of join/leave/knock as an object, or undefined for none; what is not an object is not JSON content. */
function bodyObject(body: SelfMembershipBody): JsonObject | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body !== "object" || Array.isArray(body)) throw errors.notJson();
  return body;
}

/** Reads the optional `reason` of join/leave bodies, which clients may send empty or not at all. */
function optionalReason(body: SelfMembershipBody): string | undefined {
  const reason = bodyObject(body)?.reason;
  if (reason !== undefined && typeof reason !== "string") throw errors.badJson("reason must be a string");
  return reason;
}

/**
 * The content a client sends for its own join: the reason and any other fields it adds are kept in the
 * member event, as Synapse keeps them. `third_party_signed` is a request parameter, not content, and
 * `join_authorised_via_users_server` is the server's to choose: the auth rules let a restricted room's
 * join through on it, so a client naming a moderator itself would skip the room's conditions.
 */
function joinContent(body: SelfMembershipBody): JsonObject {
  const reason = optionalReason(body);
  const { third_party_signed: _signed, join_authorised_via_users_server: _authorised, ...content } = bodyObject(body) ?? {};
  return reason === undefined ? content : { ...content, reason };
}

/** `via` (v1.12+) and the older `server_name` both name servers to join through; both may repeat. */
function viaServers(query: ServerNamesQuery): string[] {
  return [query.via, query.server_name].flat().filter((s): s is string => typeof s === "string" && s !== "");
}

export function registerMembershipRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  const join = async (requester: Requester, roomIdOrAlias: string, body: SelfMembershipBody, query: ServerNamesQuery) => ({
    room_id: await ctx.services.rooms.join(requester, roomIdOrAlias, joinContent(body), viaServers(query)),
  });
  defineRoute(app, ctx.guards, joinRoomRoute, async ({ params, body, query }, requester) => join(requester, params.roomIdOrAlias, body, query));
  defineRoute(app, ctx.guards, joinRoomByIdRoute, async ({ params, body, query }, requester) => join(requester, params.roomId, body, query));

  defineRoute(app, ctx.guards, knockRoomRoute, async ({ params, body, query }, requester) => ({
    room_id: await ctx.services.rooms.knock(requester, params.roomIdOrAlias, optionalReason(body), viaServers(query)),
  }));

  defineRoute(app, ctx.guards, leaveRoomRoute, async ({ params, body }, requester) => {
    await ctx.services.rooms.membership(requester, params.roomId, "leave", requester.userId, optionalReason(body));
    return {};
  });

  defineRoute(app, ctx.guards, forgetRoomRoute, async ({ params }, requester) => {
    await ctx.services.rooms.forget(requester, params.roomId);
    return {};
  });

  const targeted = [
    ["invite", inviteUserRoute],
    ["kick", kickUserRoute],
    ["ban", banUserRoute],
    ["unban", unbanUserRoute],
  ] as const;
  for (const [action, route] of targeted) {
    defineRoute(app, ctx.guards, route, async ({ params, body }, requester) => {
      await ctx.services.rooms.membership(requester, params.roomId, action, body.user_id, body.reason);
      return {};
    });
  }
}
