import { writeFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NOTIFY_PATH } from "../../schemas/push-gateway/notify.js";
import { freePort, killGroup, listening, removeTemporaryDirectories, runMyelin, spawnCli, temporaryDirectory, type CliProcess } from "../app/testing/cli-process.js";
import { startPushServices, testGatewayConfig, writeTestCredentials, WEBPUSH_APP, type PushServices, type TestCredentials } from "./testing/test-gateway.js";

// The operator's view: `myelin push-gateway` as a child process. No test measures time; a hang fails on the timeout.
const PROCESS_TEST_TIMEOUT_MS = 120_000;
const STACK_LINE = /^\s+at /m;

afterAll(() => removeTemporaryDirectories());

function writeConfig(config: Record<string, unknown>): string {
  const path = join(temporaryDirectory("myelin-push-gateway-cli-"), "push-gateway.yaml");
  writeFileSync(path, YAML.stringify(config));
  return path;
}

async function waitUntilHealthy(gateway: CliProcess, port: number): Promise<void> {
  let ended = false;
  void gateway.exited.then(() => (ended = true));
  for (;;) {
    if (ended) throw new Error(`the gateway exited before serving:\n${JSON.stringify(gateway.output(), null, 2)}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).status === 200) return;
    } catch {
      // Not yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("myelin push-gateway", () => {
  it("prints its usage for --help and is listed in the general help", async () => {
    const help = await runMyelin(["push-gateway", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: myelin push-gateway --config FILE/);
    expect((await runMyelin(["--help"])).stdout).toMatch(/push-gateway --config FILE/);
  });

  it("refuses to start without --config, with its usage and exit code 2", async () => {
    const result = await runMyelin(["push-gateway"], { env: { MYELIN_CONFIG: "/nonexistent/homeserver.yaml" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/push-gateway needs --config FILE/);
    expect(result.stderr).toMatch(/usage: myelin push-gateway/);
  });

  it("refuses a wrong configuration in one line per wrong key, exit code 1, no stack trace", async () => {
    const result = await runMyelin(["push-gateway", "--config", writeConfig({ apps: { web: { type: "webpush" } } })]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/apps\.web\.vapid_private_key: required/);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  describe("started with a config file", () => {
    let credentials: TestCredentials;
    let services: PushServices;
    let gateway: CliProcess;
    let port: number;

    beforeAll(async () => {
      credentials = writeTestCredentials();
      services = await startPushServices(credentials);
      port = await freePort();
      const configPath = writeConfig(testGatewayConfig(credentials, services, { listen: { host: "127.0.0.1", port }, log_level: "info" }));
      gateway = spawnCli(process.execPath, ["bin/myelin.mjs", "push-gateway", "--config", configPath], { hangGuard: false });
      await waitUntilHealthy(gateway, port);
    }, PROCESS_TEST_TIMEOUT_MS);
    afterAll(async () => {
      if (gateway) killGroup(gateway.child, "SIGKILL");
      await services?.stop();
      credentials?.remove();
    });

    it("delivers a notification, logs no secret, and stops on SIGTERM with exit code 0", async () => {
      const subscription = services.webPush.subscribe();
      const response = await fetch(`http://127.0.0.1:${port}${NOTIFY_PATH}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          notification: { event_id: "$cli", room_id: "!r:example.org", devices: [{ app_id: WEBPUSH_APP, pushkey: subscription.p256dh, data: { endpoint: subscription.endpoint, auth: subscription.auth } }] },
        }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ rejected: [] });
      expect(services.webPush.pushesFor(subscription.id).map((p) => p.payload.event_id)).toEqual(["$cli"]);

      process.kill(gateway.child.pid!, "SIGTERM");
      const finished = await gateway.exited;
      expect(finished.code).toBe(0);
      expect(await listening(port)).toBe(false);
      const output = finished.stdout + finished.stderr;
      expect(output).toMatch(/push gateway listening/);
      for (const secret of [credentials.vapid.privateKey, subscription.p256dh, subscription.auth]) expect(output).not.toContain(secret);
    }, PROCESS_TEST_TIMEOUT_MS);
  });
});
