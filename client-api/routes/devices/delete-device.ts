import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { errors } from "../../../homeserver/errors.js";
import type { AuthenticationData } from "../../../schemas/client/account/auth-data.js";
import { deleteDeviceRoute, type DeleteDeviceBody } from "../../../schemas/client/devices/delete-device.js";

/** A missing body asks for the UIA flows (as older clients do); any other non-object is malformed. */
function authOf(body: DeleteDeviceBody): AuthenticationData | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body !== "object" || Array.isArray(body)) throw errors.badJson("Body must be a JSON object");
  return body.auth;
}

export function registerDeleteDevice(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, deleteDeviceRoute, async ({ params, body }, requester) => {
    await ctx.services.devices.deleteDevices(requester, [params.deviceId], authOf(body));
    return {};
  });
}
