import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";

export interface TestUser {
  userId: string;
  localpart: string;
  password: string;
  accessToken: string;
  deviceId: string;
}

/** A fresh, unique localpart, so tests sharing one database never collide. */
export function freshLocalpart(prefix = "user"): string {
  return `${prefix}-${randomBytes(5).toString("hex")}`;
}

/** Registers a user through POST /register with the dummy stage, as a client would. */
export async function registerTestUser(http: FastifyInstance, options: { localpart?: string; password?: string; deviceId?: string } = {}): Promise<TestUser> {
  const localpart = options.localpart ?? freshLocalpart();
  const password = options.password ?? "correct horse battery staple";
  const response = await http.inject({
    method: "POST",
    url: "/_matrix/client/v3/register",
    payload: { username: localpart, password, device_id: options.deviceId, auth: { type: "m.login.dummy" } },
  });
  if (response.statusCode !== 200) throw new Error(`registration failed: ${response.statusCode} ${response.body}`);
  const body = response.json() as { user_id: string; access_token: string; device_id: string };
  return { userId: body.user_id, localpart, password, accessToken: body.access_token, deviceId: body.device_id };
}

export const bearer = (user: { accessToken: string }) => ({ authorization: `Bearer ${user.accessToken}` });

/** The m.login.password auth dict for UIA. */
export function passwordAuth(user: { userId: string; password: string }, session?: string): Record<string, unknown> {
  return { type: "m.login.password", identifier: { type: "m.id.user", user: user.userId }, password: user.password, session };
}
