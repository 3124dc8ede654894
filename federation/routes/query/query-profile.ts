import type { FastifyInstance } from "fastify";
import type { FederationApiServices } from "../../federation-api-services.js";
import { errors } from "../../../homeserver/errors.js";
import { queryProfileQuery, type QueryProfileQuery, type QueryProfileResponse } from "../../../schemas/federation/query/query-profile.js";

const FIELDS = ["displayname", "avatar_url"] as const;

/** GET /_matrix/federation/v1/query/profile?user_id=&field=: one of our users' profile, or only the field asked for. */
export function registerQueryProfile(app: FastifyInstance, { serverName, profiles }: Pick<FederationApiServices, "serverName" | "profiles">): void {
  app.get<{ Querystring: QueryProfileQuery }>(
    "/_matrix/federation/v1/query/profile",
    { schema: { querystring: queryProfileQuery } },
    async (request): Promise<QueryProfileResponse> => {
      const { user_id: userId, field } = request.query;
      if (!userId.startsWith("@") || userId.slice(userId.indexOf(":") + 1) !== serverName) throw errors.notFound("The user is not on this server");
      const profile = await profiles.getProfile(userId);
      if (!profile) throw errors.notFound("Profile not found");
      const response: QueryProfileResponse = {};
      for (const name of FIELDS) {
        const value = profile[name];
        if (value !== null && value !== "") response[name] = value;
      }
      if (field === undefined) return response;
      // The spec: with `field`, only that field, and 404 when the user has no such field.
      if (!(FIELDS as readonly string[]).includes(field) || response[field as (typeof FIELDS)[number]] === undefined) {
        throw errors.notFound(`The user has no ${field}`);
      }
      return { [field]: response[field as (typeof FIELDS)[number]] };
    },
  );
}
