import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { roomIdParams } from "../../../schemas/client/room-reads/client-event.js";
import { getStateEventParams, getStateEventQuery, type GetStateEventQuery } from "../../../schemas/client/room-reads/get-state.js";

/** GET /state, and one state event with or without a state key (the empty key may be left out of the path). */
export function registerGetState(app: FastifyInstance, ctx: ClientApiContext): void {
  app.get("/_matrix/client/v3/rooms/:roomId/state", { schema: { params: roomIdParams } }, async (request) => {
    const requester = await ctx.auth(request);
    const { roomId } = request.params as { roomId: string };
    return ctx.app.sync.reads.state.state(requester, roomId);
  });
  const oneEvent = async (request: FastifyRequest) => {
    const requester = await ctx.auth(request);
    const { roomId, eventType, stateKey } = request.params as { roomId: string; eventType: string; stateKey?: string };
    const event = await ctx.app.sync.reads.state.stateEvent(requester, roomId, eventType, stateKey ?? "");
    return (request.query as GetStateEventQuery).format === "event" ? event : event.content;
  };
  const schema = { params: getStateEventParams, querystring: getStateEventQuery };
  app.get("/_matrix/client/v3/rooms/:roomId/state/:eventType", { schema }, oneEvent);
  app.get("/_matrix/client/v3/rooms/:roomId/state/:eventType/:stateKey", { schema }, oneEvent);
}
