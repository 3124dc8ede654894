import { randomBytes } from "node:crypto";
import { MatrixError, type MatrixClient } from "matrix-js-sdk";
import { createMatrixClient, type Credentials } from "./matrix-client.js";

export interface TestUser extends Credentials {
  password: string;
  client: MatrixClient;
}

/**
 * Registers a fresh user through user-interactive auth (m.login.dummy), as a client would when the server
 * needs no verification. Usernames are random so tests never share users.
 */
export async function registerUser(label = "user"): Promise<TestUser> {
  return await registerUserWith(createMatrixClient, label);
}

/** registerUser on the server `makeClient` talks to (the federation suite has several). */
export async function registerUserWith(
  makeClient: (credentials?: Credentials) => MatrixClient,
  label = "user",
): Promise<TestUser> {
  const username = `${label.toLowerCase().replace(/[^a-z0-9._=-]/g, "-")}-${randomBytes(5).toString("hex")}`;
  const password = randomBytes(12).toString("hex");
  const anonymous = makeClient();

  let session: string | undefined;
  try {
    await anonymous.registerRequest({ username, password, initial_device_display_name: "conformance" });
    throw new Error("POST /register without auth succeeded; the spec has it answer 401 with the UIA flows");
  } catch (error) {
    if (!(error instanceof MatrixError) || error.httpStatus !== 401) throw error;
    const flows = (error.data.flows ?? []) as Array<{ stages: string[] }>;
    if (!flows.some((flow) => flow.stages.length === 1 && flow.stages[0] === "m.login.dummy")) {
      throw new Error(`registration offers no m.login.dummy-only flow: ${JSON.stringify(flows)}`);
    }
    session = error.data.session as string | undefined;
  }

  const registered = await anonymous.registerRequest({
    username,
    password,
    initial_device_display_name: "conformance",
    auth: { type: "m.login.dummy", session },
  });
  if (!registered.access_token || !registered.device_id) {
    throw new Error(`registration returned no access token or device: ${JSON.stringify(registered)}`);
  }
  const credentials = {
    userId: registered.user_id,
    accessToken: registered.access_token,
    deviceId: registered.device_id,
  };
  return { ...credentials, password, client: makeClient(credentials) };
}

export async function registerUsers(count: number, label = "user"): Promise<TestUser[]> {
  return await Promise.all(Array.from({ length: count }, (_, i) => registerUser(`${label}${i}`)));
}
