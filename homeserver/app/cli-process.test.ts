import { readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDrivers, type DriverName } from "./test-app.js";
import { createTemporaryPostgresDatabase } from "../storage/test-databases.js";
import { TestSyncSocket } from "../../client-api/routes/sync/websocket/testing/sync-socket-client.js";
import { SYNC_WEBSOCKET_PATH } from "../../schemas/client/sync/sync-websocket.js";
import {
  freePort,
  groupAlive,
  killGroup,
  listening,
  removeTemporaryDirectories,
  runMyelin,
  serverDirectory,
  spawnCli,
  temporaryDirectory,
  until,
  waitUntilServing,
  type CliProcess,
} from "./testing/cli-process.js";

// The operator's view: `myelin` run as a child process, judged by its exit code, its output and whether its
// server still answers. No test measures time; a hang fails on the test's timeout (generous: a server
// start on a busy machine takes seconds).
const SERVER_TEST_TIMEOUT_MS = 120_000;

/** A stack trace line, as printed for an unexpected error. */
const STACK_LINE = /^\s+at /m;

function freshPostgresUrl(): Promise<{ url: string; drop(): Promise<void> }> {
  return createTemporaryPostgresDatabase("myelin_cli");
}

afterAll(() => removeTemporaryDirectories());

describe("myelin --help", () => {
  it.each(["--help", "-h", "help", "help register-user", "start --help", "generate-config --help", "register-user --help", "migrate -h"])(
    "myelin %s prints the usage, exits 0, and creates nothing, from any directory",
    async (line) => {
      const args = line.split(" ");
      const dir = temporaryDirectory("myelin-help-");
      // Were --help ignored, start would serve here and migrate would create a database: on a free port, in dir.
      const result = await runMyelin(args, { cwd: dir, env: { MYELIN_PORT: String(await freePort()) } });
      expect(result.stdout).toMatch(/^usage: myelin/);
      expect(result.code).toBe(0);
      expect(readdirSync(dir)).toEqual([]);
    },
    SERVER_TEST_TIMEOUT_MS,
  );

  it("refuses an unknown option with the command's usage and exit code 2", async () => {
    const result = await runMyelin(["generate-config", "--frobnicate"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--frobnicate/);
    expect(result.stderr).toMatch(/usage: myelin generate-config/);
  });
});

describe.each(testDrivers())("a server started with `node bin/myelin.mjs start` on %s", (driver: DriverName) => {
  let port: number;
  let configPath: string;
  let dir: string;
  let server: CliProcess;
  let postgres: { url: string; drop(): Promise<void> } | undefined;

  beforeAll(async () => {
    port = await freePort();
    postgres = driver === "postgres" ? await freshPostgresUrl() : undefined;
    ({ dir, configPath } = serverDirectory(port, postgres ? { database: { type: "postgres", url: postgres.url } } : {}));
    // Registration is closed: bob, who holds a sync socket when the server is stopped, is made while it is down.
    expect((await runMyelin(["register-user", "--config", configPath, "--user", "bob", "--password", "pw"])).code).toBe(0);
    server = spawnCli(process.execPath, ["bin/myelin.mjs", "start", "--config", configPath], { hangGuard: false });
    await waitUntilServing(server, port);
  }, SERVER_TEST_TIMEOUT_MS);
  afterAll(async () => {
    if (server) killGroup(server.child, "SIGKILL");
    await postgres?.drop();
  });

  const registerAlice = () => runMyelin(["register-user", "--config", configPath, "--user", "alice", "--password", "pw"]);

  if (driver === "embedded") {
    it("refuses register-user while it runs, in one line that says what to do instead", async () => {
      const result = await registerAlice();
      expect(result.code).toBe(1);
      expect(result.stdout).not.toMatch(/registered/);
      const message = result.stderr.trim();
      expect(message.split("\n")).toHaveLength(1);
      expect(message).toMatch(/in use by a running Myelin server \(pid \d+\)/);
      expect(message).toMatch(/stop the server/);
      expect(message).toMatch(/shared-secret registration API/);
      expect(message).toMatch(/PostgreSQL/);
    }, SERVER_TEST_TIMEOUT_MS);
  } else {
    it("lets register-user create an account while it runs, which the server sees", async () => {
      const result = await registerAlice();
      expect(result.stdout).toMatch(/registered @alice:localhost/);
      const login = await fetch(`http://127.0.0.1:${port}/_matrix/client/v3/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: "m.login.password", identifier: { type: "m.id.user", user: "alice" }, password: "pw" }),
      });
      expect(login.status).toBe(200);
    }, SERVER_TEST_TIMEOUT_MS);
  }

  it("stops on SIGTERM: closes sync sockets with 1001, exits 0, and nothing answers on its port any more", async () => {
    const login = await fetch(`http://127.0.0.1:${port}/_matrix/client/v3/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "m.login.password", identifier: { type: "m.id.user", user: "bob" }, password: "pw" }),
    });
    const socket = await TestSyncSocket.open(`ws://127.0.0.1:${port}${SYNC_WEBSOCKET_PATH}`, ((await login.json()) as { access_token: string }).access_token);
    socket.send({ type: "sync" });
    await socket.next("sync");

    process.kill(server.child.pid!, "SIGTERM");
    const finished = await server.exited;
    expect((await socket.closed).code).toBe(1001);
    expect(finished.code).toBe(0);
    expect(await listening(port)).toBe(false);
    expect(groupAlive(server.child)).toBe(false);
  }, SERVER_TEST_TIMEOUT_MS);

  if (driver === "embedded") {
    it("lets register-user run once the server has stopped, and also past a lock a killed process left", async () => {
      // The pid of a process that has exited: a server killed with SIGKILL leaves such a lock behind.
      const gone = spawnCli(process.execPath, ["-e", ""]);
      await gone.exited;
      writeFileSync(join(dir, "data", "db.lock"), JSON.stringify({ pid: gone.child.pid, host: hostname(), command: "server" }));
      const result = await registerAlice();
      expect(result.stderr).toBe("");
      expect(result.stdout).toMatch(/registered @alice:localhost/);
    }, SERVER_TEST_TIMEOUT_MS);
  }
});

describe("a server started with `npx myelin start`", () => {
  let server: CliProcess | undefined;
  afterAll(() => server && killGroup(server.child, "SIGKILL"));

  it("stops when npx is sent SIGTERM, instead of running on alone", async () => {
    const port = await freePort();
    const { configPath } = serverDirectory(port);
    server = spawnCli("npx", ["myelin", "start", "--config", configPath], { hangGuard: false });
    await waitUntilServing(server, port);

    // To npx only, as a supervisor or `kill <pid>` does: npm relays it to a shell, not to our process.
    process.kill(server.child.pid!, "SIGTERM");
    await server.exited;

    await until(async () => !(await listening(port)));
    await until(() => !groupAlive(server!.child));
  }, SERVER_TEST_TIMEOUT_MS);
});

describe("startup failures the operator has to fix", () => {
  it("a port already in use: one line naming port and address, exit code 1, no stack trace", async () => {
    const port = await freePort();
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(port, "127.0.0.1", resolve));
    try {
      const { configPath } = serverDirectory(port);
      const result = await runMyelin(["start", "--config", configPath]);
      expect(result.code).toBe(1);
      const message = result.stderr.trim();
      expect(message).toMatch(new RegExp(`^myelin: port ${port} on 127\\.0\\.0\\.1 is already in use`));
      expect(message.split("\n")).toHaveLength(1);
      expect(result.stderr).not.toMatch(STACK_LINE);
    } finally {
      holder.close();
    }
  }, SERVER_TEST_TIMEOUT_MS);

  it("PostgreSQL unreachable: each retry is logged, then one line naming the server, exit code 1, no stack trace", async () => {
    const closedPort = await freePort();
    const { configPath } = serverDirectory(await freePort(), {
      database: { type: "postgres", url: `postgres://myelin:secret@127.0.0.1:${closedPort}/myelin`, connect_retry_ms: 1500 },
    });
    const result = await runMyelin(["start", "--config", configPath]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/PostgreSQL at 127\.0\.0\.1:\d+\/myelin is not reachable yet/);
    const message = result.stderr.trim();
    expect(message).toMatch(new RegExp(`^myelin: cannot reach PostgreSQL at 127\\.0\\.0\\.1:${closedPort}/myelin after \\d+ attempts: .*ECONNREFUSED`));
    expect(message.split("\n")).toHaveLength(1);
    expect(message).not.toMatch(/secret/);
    expect(result.stderr).not.toMatch(STACK_LINE);
  }, SERVER_TEST_TIMEOUT_MS);
});
