import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { MatrixError, errors } from "../../../homeserver/errors.js";
import {
  addThreepidRoute,
  bindThreepidRoute,
  deleteThreepidRoute,
  emailRequestTokenRoute,
  getThreepidsRoute,
  msisdnRequestTokenRoute,
  postThreepidsRoute,
  unbindThreepidRoute,
} from "../../../schemas/client/threepid/threepid-routes.js";

// This server validates no email address or phone number and uses no identity server: there is never a
// validated session to add, nothing to bind, and nothing bound to remove. The errors are Synapse's for a
// server configured that way.
const noValidatedSession = () => new MatrixError("M_THREEPID_AUTH_FAILED", "No validated 3pid session found", 400);
const mediumNotSupported = (what: string) => new MatrixError("M_THREEPID_MEDIUM_NOT_SUPPORTED", `Adding ${what} to your account is disabled on this server`, 400);

export function registerThreepidRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getThreepidsRoute, async () => ({ threepids: [] }));
  defineRoute(app, ctx.guards, postThreepidsRoute, async ({ body }) => {
    const creds = body.three_pid_creds ?? body.threePidCreds;
    if (creds === undefined) throw errors.missingParam("Missing param three_pid_creds");
    if (typeof creds !== "object" || creds === null) throw errors.badJson("three_pid_creds must be an object");
    throw noValidatedSession();
  });
  defineRoute(app, ctx.guards, addThreepidRoute, async () => {
    throw noValidatedSession();
  });
  defineRoute(app, ctx.guards, bindThreepidRoute, async () => {
    throw new MatrixError("M_THREEPID_DENIED", "This server does not bind third-party identifiers at identity servers", 403);
  });
  defineRoute(app, ctx.guards, unbindThreepidRoute, async () => ({ id_server_unbind_result: "no-support" as const }));
  defineRoute(app, ctx.guards, deleteThreepidRoute, async () => ({ id_server_unbind_result: "no-support" as const }));
  defineRoute(app, ctx.guards, emailRequestTokenRoute, async () => {
    throw mediumNotSupported("an email");
  });
  defineRoute(app, ctx.guards, msisdnRequestTokenRoute, async () => {
    throw mediumNotSupported("a phone number");
  });
}
