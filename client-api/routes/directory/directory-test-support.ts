import { randomBytes } from "node:crypto";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { clientServerSpec } from "../../../homeserver/testing/spec-document.js";
import type { createTestApp, TestApp } from "../../../homeserver/app/test-app.js";

// Test-only helpers for the directory route tests: accounts with real tokens, and the spec's response schemas.

const compiled = new Map<string, ValidateFunction | null>();
const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
// The spec's own formats (mx-room-id, mx-room-alias, ...): checked loosely, since room ids of v12 carry no server.
const formats: Record<string, RegExp> = {
  "mx-room-id": /^![^\s]+$/,
  "mx-room-alias": /^#[^:]*:.+$/,
  "mx-server-name": /^(\[[0-9A-Fa-f:.]+\]|[0-9A-Za-z.-]+)(:\d{1,5})?$/,
  "mx-mxc-uri": /^mxc:\/\/[^/]+\/[^/]+$/,
  "mx-user-id": /^@[^:]+:.+$/,
};
for (const [name, pattern] of Object.entries(formats)) ajv.addFormat(name, pattern);

export const specAvailable = (): boolean => clientServerSpec() !== null;

/**
 * Checks a response body against the spec's schema for `template` (e.g. "/_matrix/client/v3/publicRooms"),
 * method and status. Returns the errors as text, or null when it conforms (or the spec data is absent).
 */
export function specErrors(method: string, template: string, status: number, body: unknown): string | null {
  const paths = clientServerSpec();
  if (!paths) return null;
  const key = `${method.toLowerCase()} ${template} ${status}`;
  if (!compiled.has(key)) {
    const operation = paths[template]?.[method.toLowerCase()];
    if (!operation) throw new Error(`the spec has no ${method} ${template}`);
    const schema = operation.responses?.[String(status)]?.content?.["application/json"]?.schema;
    // A status the operation does not list must still be a standard error.
    const errorShape = { type: "object", required: ["errcode", "error"], properties: { errcode: { type: "string" }, error: { type: "string" } } };
    compiled.set(key, ajv.compile(schema ?? (status >= 400 ? errorShape : {})));
  }
  const validate = compiled.get(key)!;
  return validate && !validate(body) ? ajv.errorsText(validate.errors) : null;
}

/**
 * The drivers of homeserver/storage/test-databases.ts `testDrivers()`, restated because client-api may not
 * import storage/ (homeserver/import-direction.test.ts); switch back once app/ re-exports it.
 */
export function routeTestDrivers(): Array<Parameters<typeof createTestApp>[0]> {
  return process.env.MYELIN_TEST_POSTGRES_URL ? ["embedded", "postgres"] : ["embedded"];
}

export interface TestUser {
  userId: string;
  token: string;
}

/** A fresh account through POST /register with the m.login.dummy stage, as a client would make one. */
export async function registerUser(app: TestApp, prefix = "user"): Promise<TestUser> {
  const username = `${prefix}${randomBytes(4).toString("hex")}`;
  const response = await app.http.inject({
    method: "POST",
    url: "/_matrix/client/v3/register",
    payload: { username, password: "correct horse battery staple", auth: { type: "m.login.dummy" } },
  });
  if (response.statusCode !== 200) throw new Error(`registration failed: ${response.statusCode} ${response.body}`);
  const body = response.json() as { user_id: string; access_token: string };
  return { userId: body.user_id, token: body.access_token };
}

/** A server admin; there is no client API for that, so the account is made the way the admin tools make one. */
export async function registerAdmin(app: TestApp): Promise<TestUser> {
  const { userId, tokens } = await app.ctx.users.accounts.createAccount({
    localpart: `admin${randomBytes(4).toString("hex")}`,
    password: "correct horse battery staple",
    admin: true,
    session: {},
  });
  return { userId, token: tokens!.access_token };
}
