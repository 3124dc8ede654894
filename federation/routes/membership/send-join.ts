import type { FastifyInstance, FastifyRequest } from "fastify";
import type { FederationApiServices } from "../../federation-api-services.js";
import { sendJoinQuery, type SendJoinResponse, type SendJoinV1Response } from "../../../schemas/federation/membership/send-join.js";
import { membershipEventSchema, roomAndEventParams, type RoomAndEventParams } from "../../../schemas/federation/pdu.js";
import { requireFederationOrigin } from "../../auth/federation-auth.js";

type SendJoinRequest = FastifyRequest<{ Params: RoomAndEventParams; Body: Record<string, unknown> }>;

/**
 * PUT /_matrix/federation/v2/send_join/{roomId}/{eventId}, and v1 (deprecated, still sent by older servers),
 * whose answer is the same body inside `[200, body]`.
 */
export function registerSendJoin(app: FastifyInstance, { rooms }: Pick<FederationApiServices, "rooms">): void {
  const join = async (request: SendJoinRequest): Promise<SendJoinResponse> => {
    const origin = requireFederationOrigin(request);
    const { roomId, eventId } = request.params;
    await rooms.acls.requireAllowed(origin, roomId);
    // omit_members is accepted and ignored: we always send the full state (members_omitted: false).
    return (await rooms.membership.sendMembership(origin, roomId, eventId, request.body, "join")) as SendJoinResponse;
  };
  const schema = { params: roomAndEventParams, querystring: sendJoinQuery, body: membershipEventSchema };
  app.put<{ Params: RoomAndEventParams; Body: Record<string, unknown> }>("/_matrix/federation/v2/send_join/:roomId/:eventId", { schema }, join);
  app.put<{ Params: RoomAndEventParams; Body: Record<string, unknown> }>(
    "/_matrix/federation/v1/send_join/:roomId/:eventId",
    { schema },
    async (request): Promise<SendJoinV1Response> => [200, await join(request)],
  );
}
