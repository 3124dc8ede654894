import type { FastifyInstance } from "fastify";
import type { FederationApiServices } from "../../federation-api-services.js";
import {
  inviteV1Body,
  inviteV2Body,
  type InviteResponse,
  type InviteV1Response,
  type InviteV2Request,
} from "../../../schemas/federation/membership/invite.js";
import { roomAndEventParams, type RoomAndEventParams } from "../../../schemas/federation/pdu.js";
import { requireFederationOrigin } from "../../auth/federation-auth.js";

/**
 * PUT /_matrix/federation/v2/invite/{roomId}/{eventId} and the v1 form (room versions 1 and 2 only, the
 * event as body, `[200, {event}]` as answer): we check the invite, countersign it and show it to the invitee.
 */
export function registerInvite(app: FastifyInstance, { rooms }: Pick<FederationApiServices, "rooms">): void {
  app.put<{ Params: RoomAndEventParams; Body: InviteV2Request }>(
    "/_matrix/federation/v2/invite/:roomId/:eventId",
    { schema: { params: roomAndEventParams, body: inviteV2Body } },
    async (request): Promise<InviteResponse> => {
      const origin = requireFederationOrigin(request);
      const { roomId, eventId } = request.params;
      const { event, room_version, invite_room_state } = request.body;
      const signed = await rooms.invites.receive(origin, roomId, eventId, { event, roomVersion: room_version, inviteRoomState: invite_room_state });
      return { event: signed };
    },
  );

  app.put<{ Params: RoomAndEventParams; Body: Record<string, unknown> }>(
    "/_matrix/federation/v1/invite/:roomId/:eventId",
    { schema: { params: roomAndEventParams, body: inviteV1Body } },
    async (request): Promise<InviteV1Response> => {
      const origin = requireFederationOrigin(request);
      const { roomId, eventId } = request.params;
      return [200, { event: await rooms.invites.receiveV1(origin, roomId, eventId, request.body) }];
    },
  );
}
