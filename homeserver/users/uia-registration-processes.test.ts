import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildConfig } from "../core/config.js";
import { silentLogger } from "../core/logger.js";
import { generateSigningKey } from "../crypto/signing-key.js";
import type { Database } from "../storage/database.js";
import { testDrivers } from "../storage/test-databases.js";
import { createAppContext } from "../app/create-app-context.js";
import { buildHttpApp } from "../app/http-app.js";
import { restartableServer, type RestartableServer } from "../app/testing/restartable-server.js";
import { freshLocalpart } from "./testing/http-users.js";
import { openTwoConnections, type TwoConnections } from "./testing/two-connections.js";

const REGISTER = "/_matrix/client/v3/register";
const PASSWORD = "a good long password";

const register = (http: FastifyInstance, payload: unknown) => http.inject({ method: "POST", url: REGISTER, payload: payload as object });
const whoami = (http: FastifyInstance, accessToken: string) =>
  http.inject({ method: "GET", url: "/_matrix/client/v3/account/whoami", headers: { authorization: `Bearer ${accessToken}` } });

describe.each(testDrivers())("registration's UIA session across processes on %s", (driver) => {
  describe("two processes over one database", () => {
    let connections: TwoConnections;
    let dataDir: string;
    let processes: Array<{ http: FastifyInstance; close(): Promise<void> }> = [];
    const signingKey = generateSigningKey();
    beforeAll(async () => {
      connections = await openTwoConnections(driver);
      dataDir = mkdtempSync(join(tmpdir(), "myelin-test-data-"));
    });
    afterAll(async () => {
      await connections.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    });
    // Fresh processes for each test: stream positions (device lists) are still allocated in each process's
    // memory, so two processes that both wrote would clash on them; each test has one registration write.
    beforeEach(async () => {
      const config = buildConfig({
        server_name: "test.local",
        data_dir: dataDir,
        registration: { enabled: true },
        rate_limits: { enabled: false },
        password_scrypt_log_n: 10,
      });
      const start = async (database: Database) => {
        const ctx = await createAppContext({ config, database, signingKey, logger: silentLogger });
        const http = buildHttpApp(ctx, { resources: ["client"] });
        await http.ready();
        return {
          http,
          close: async () => {
            ctx.edus.stop();
            await ctx.pushers.loop.stop();
            await http.close();
            await ctx.federation.close();
            await ctx.outgoingHttp.close();
          },
        };
      };
      processes = [await start(connections.first), await start(connections.second)];
    });
    afterEach(async () => {
      for (const running of processes) await running.close();
    });

    it("completes on the second process a registration started on the first, with the first request's parameters", async () => {
      const [one, two] = processes.map((p) => p.http);
      const username = freshLocalpart();
      const first = await register(one, { username, password: PASSWORD, device_id: "FIRSTASKED" });
      expect(first.statusCode).toBe(401);
      const done = await register(two, { auth: { type: "m.login.dummy", session: first.json().session } });
      expect(done.statusCode).toBe(200);
      expect(done.json()).toMatchObject({ user_id: `@${username}:test.local`, device_id: "FIRSTASKED" });
      expect((await whoami(one, done.json().access_token)).json()).toMatchObject({ user_id: `@${username}:test.local` });
      // A retry whose response was lost, sent to the first process, gets the same answer.
      const again = await register(one, { auth: { type: "m.login.dummy", session: first.json().session } });
      expect(again.statusCode).toBe(200);
      expect(again.json()).toEqual(done.json());
    });

    it("registers once when the completing request reaches both processes at once, and both answer the same", async () => {
      const [one, two] = processes.map((p) => p.http);
      const username = freshLocalpart();
      const first = await register(one, { username, password: PASSWORD });
      const completing = { auth: { type: "m.login.dummy", session: first.json().session } };
      const [a, b] = await Promise.all([register(one, completing), register(two, completing)]);
      expect([a.statusCode, b.statusCode], a.body + b.body).toEqual([200, 200]);
      expect(a.json()).toEqual(b.json());
      const devices = await one.inject({ method: "GET", url: "/_matrix/client/v3/devices", headers: { authorization: `Bearer ${a.json().access_token}` } });
      expect(devices.json().devices).toHaveLength(1);
    });
  });

  describe("a restart", () => {
    let server: RestartableServer;
    beforeAll(async () => {
      server = await restartableServer(driver);
      await server.start();
    });
    afterAll(() => server.dispose());

    it("continues a registration begun before the restart, and answers the completed session again after another", async () => {
      const username = freshLocalpart();
      const first = await register(server.running.http, { username, password: PASSWORD, initial_device_display_name: "Before Restart" });
      expect(first.statusCode).toBe(401);
      await server.stop();
      await server.start();
      const completing = { auth: { type: "m.login.dummy", session: first.json().session } };
      const done = await register(server.running.http, completing);
      expect(done.statusCode).toBe(200);
      expect(done.json().user_id).toBe(`@${username}:${server.name}`);
      await server.stop();
      await server.start();
      const again = await register(server.running.http, completing);
      expect(again.json()).toEqual(done.json());
      const devices = await server.running.http.inject({
        method: "GET",
        url: "/_matrix/client/v3/devices",
        headers: { authorization: `Bearer ${done.json().access_token}` },
      });
      expect(devices.json().devices).toEqual([expect.objectContaining({ display_name: "Before Restart" })]);
    });
  });
});
