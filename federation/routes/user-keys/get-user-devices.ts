import type { FastifyInstance } from "fastify";
import type { FederationApiServices } from "../../federation-api-services.js";
import { getUserDevicesParams, type GetUserDevicesParams, type GetUserDevicesResponse } from "../../../schemas/federation/user-keys/get-user-devices.js";

/**
 * GET /_matrix/federation/v1/user/devices/{userId}: one of our users' devices with their keys, and the stream_id of
 * their device list, which another server asks for when it first shares a room with the user or has missed an
 * m.device_list_update. A user of another server is 400 (Synapse refuses it too).
 */
export function registerGetUserDevices(app: FastifyInstance, { userDevices }: Pick<FederationApiServices, "userDevices">): void {
  app.get<{ Params: GetUserDevicesParams }>(
    "/_matrix/federation/v1/user/devices/:userId",
    { schema: { params: getUserDevicesParams } },
    async (request): Promise<GetUserDevicesResponse> => userDevices.forServer(request.params.userId),
  );
}
