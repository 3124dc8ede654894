import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import type { Requester } from "../../../homeserver/users/requester.js";
import type { JsonObject } from "../../../schemas/client/common.js";
import { sendEventRoute, sendEventWithoutTxnRoute, type SendEventResponse } from "../../../schemas/client/rooms/send-event.js";

type SendRequest = { params: { roomId: string; eventType: string; txnId?: string }; body: JsonObject };

export function registerSendMessage(app: FastifyInstance, ctx: ClientApiContext): void {
  const send = async ({ params, body }: SendRequest, requester: Requester): Promise<SendEventResponse> => {
    const eventId = await ctx.services.rooms.sendMessage(requester, params.roomId, params.eventType, body, params.txnId);
    ctx.userWasActive(requester.userId);
    return { event_id: eventId };
  };
  defineRoute(app, ctx.guards, sendEventRoute, send);
  defineRoute(app, ctx.guards, sendEventWithoutTxnRoute, send);
}
