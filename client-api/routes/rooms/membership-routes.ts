import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { roomIdParams, targetedMembershipBody } from "../../../schemas/client/rooms/membership.js";
import { errors } from "../../../homeserver/errors.js";
import type { JsonObject } from "../../../homeserver/events/pdu.js";

/** Reads the optional `reason` of join/leave bodies, which clients may send empty or not at all. */
function optionalReason(request: FastifyRequest): string | undefined {
  const body = request.body;
  if (body === undefined || body === null) return undefined;
  if (typeof body !== "object" || Array.isArray(body)) throw errors.notJson();
  const reason = (body as { reason?: unknown }).reason;
  if (reason !== undefined && typeof reason !== "string") throw errors.badJson("reason must be a string");
  return reason as string | undefined;
}

/**
 * The content a client sends for its own join: the reason and any other fields it adds are kept in the
 * member event, as Synapse keeps them. `third_party_signed` is a request parameter, not content, and
 * `join_authorised_via_users_server` is the server's to choose: the auth rules let a restricted room's
 * join through on it, so a client naming a moderator itself would skip the room's conditions.
 */
function joinContent(request: FastifyRequest): JsonObject {
  const reason = optionalReason(request);
  const { third_party_signed: _signed, join_authorised_via_users_server: _authorised, ...content } = (request.body ?? {}) as JsonObject;
  return reason === undefined ? content : { ...content, reason };
}

/** `via` (v1.12+) and the older `server_name` both name servers to join through; both may repeat. */
function viaServers(request: FastifyRequest): string[] {
  const query = request.query as Record<string, unknown>;
  return [query.via, query.server_name].flat().filter((s): s is string => typeof s === "string" && s !== "");
}

export function registerMembershipRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  const join = async (request: FastifyRequest, roomIdOrAlias: string) => {
    const requester = await ctx.auth(request);
    ctx.rateLimit(requester.userId);
    return { room_id: await ctx.app.rooms.service.join(requester, roomIdOrAlias, joinContent(request), viaServers(request)) };
  };
  app.post("/_matrix/client/v3/join/:roomIdOrAlias", async (request) => join(request, (request.params as { roomIdOrAlias: string }).roomIdOrAlias));
  app.post("/_matrix/client/v3/rooms/:roomId/join", { schema: { params: roomIdParams } }, async (request) =>
    join(request, (request.params as { roomId: string }).roomId),
  );

  app.post("/_matrix/client/v3/knock/:roomIdOrAlias", async (request) => {
    const requester = await ctx.auth(request);
    ctx.rateLimit(requester.userId);
    const { roomIdOrAlias } = request.params as { roomIdOrAlias: string };
    return { room_id: await ctx.app.rooms.service.knock(requester, roomIdOrAlias, optionalReason(request), viaServers(request)) };
  });

  app.post("/_matrix/client/v3/rooms/:roomId/leave", { schema: { params: roomIdParams } }, async (request) => {
    const requester = await ctx.auth(request);
    const { roomId } = request.params as { roomId: string };
    await ctx.app.rooms.service.membership(requester, roomId, "leave", requester.userId, optionalReason(request));
    return {};
  });

  app.post("/_matrix/client/v3/rooms/:roomId/forget", { schema: { params: roomIdParams } }, async (request) => {
    const requester = await ctx.auth(request);
    await ctx.app.rooms.service.forget(requester, (request.params as { roomId: string }).roomId);
    return {};
  });

  for (const action of ["invite", "kick", "ban", "unban"] as const) {
    app.post(`/_matrix/client/v3/rooms/:roomId/${action}`, { schema: { params: roomIdParams, body: targetedMembershipBody } }, async (request) => {
      const requester = await ctx.auth(request);
      ctx.rateLimit(requester.userId);
      const { roomId } = request.params as { roomId: string };
      const { user_id: target, reason } = request.body as { user_id: string; reason?: string };
      await ctx.app.rooms.service.membership(requester, roomId, action, target, reason);
      return {};
    });
  }
}
