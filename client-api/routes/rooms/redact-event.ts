import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import type { Requester } from "../../../homeserver/users/requester.js";
import type { SendEventResponse } from "../../../schemas/client/rooms/send-event.js";
import { redactEventRoute, redactEventWithoutTxnRoute, type RedactRequest } from "../../../schemas/client/rooms/redact.js";

type RedactCall = { params: { roomId: string; eventId: string; txnId?: string }; body: RedactRequest };

export function registerRedactEvent(app: FastifyInstance, ctx: ClientApiContext): void {
  const redact = async ({ params, body }: RedactCall, requester: Requester): Promise<SendEventResponse> => ({
    event_id: await ctx.services.rooms.redact(requester, params.roomId, params.eventId, params.txnId, body.reason),
  });
  defineRoute(app, ctx.guards, redactEventRoute, redact);
  defineRoute(app, ctx.guards, redactEventWithoutTxnRoute, redact);
}
