import type { FastifyInstance, FastifyRequest } from "fastify";
import type { FederationApiServices } from "../../federation-api-services.js";
import type { SendLeaveResponse, SendLeaveV1Response } from "../../../schemas/federation/membership/send-leave.js";
import { membershipEventSchema, roomAndEventParams, type RoomAndEventParams } from "../../../schemas/federation/pdu.js";
import { requireFederationOrigin } from "../../auth/federation-auth.js";

type SendLeaveRequest = FastifyRequest<{ Params: RoomAndEventParams; Body: Record<string, unknown> }>;

/** PUT /_matrix/federation/v2/send_leave/{roomId}/{eventId} (`{}`), and the deprecated v1 (`[200, {}]`). */
export function registerSendLeave(app: FastifyInstance, { rooms }: Pick<FederationApiServices, "rooms">): void {
  const leave = async (request: SendLeaveRequest): Promise<SendLeaveResponse> => {
    const origin = requireFederationOrigin(request);
    const { roomId, eventId } = request.params;
    await rooms.acls.requireAllowed(origin, roomId);
    await rooms.membership.sendMembership(origin, roomId, eventId, request.body, "leave");
    return {};
  };
  const schema = { params: roomAndEventParams, body: membershipEventSchema };
  app.put<{ Params: RoomAndEventParams; Body: Record<string, unknown> }>("/_matrix/federation/v2/send_leave/:roomId/:eventId", { schema }, leave);
  app.put<{ Params: RoomAndEventParams; Body: Record<string, unknown> }>(
    "/_matrix/federation/v1/send_leave/:roomId/:eventId",
    { schema },
    async (request): Promise<SendLeaveV1Response> => [200, await leave(request)],
  );
}
