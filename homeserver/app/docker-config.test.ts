import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import YAML from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestApp } from "./testing/use-test-app.js";
import { loadConfig } from "../core/config.js";
import { freePort, REPO_ROOT } from "./testing/cli-process.js";

// There is no Docker engine where the tests run: these read the shipped files as Docker would, and load
// the configuration the container gets with Myelin's own loader.

interface ComposeService {
  image?: string;
  build?: string;
  restart?: string;
  user?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const compose = YAML.parse(readFileSync(join(REPO_ROOT, "docker-compose.yml"), "utf8")) as { services: Record<string, ComposeService> };
const dockerfile = readFileSync(join(REPO_ROOT, "Dockerfile"), "utf8");
const myelin = compose.services.myelin;

/** Compose's ${NAME:-default} with nothing set in the environment. */
function interpolate(value: string): string {
  return value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, "$1");
}

/** The host file compose mounts at `target`. */
function mountedFile(target: string): string | undefined {
  const mount = myelin.volumes?.find((volume) => volume.split(":")[1] === target);
  return mount && join(REPO_ROOT, mount.split(":")[0]);
}

async function containerConfig() {
  const env = Object.fromEntries(Object.entries(myelin.environment ?? {}).map(([name, value]) => [name, interpolate(String(value))]));
  const path = mountedFile(env.MYELIN_CONFIG);
  expect(path, "MYELIN_CONFIG names the mounted config file").toBeDefined();
  return (await loadConfig(path, env)).config;
}

describe("docker-compose.yml", () => {
  it("runs Myelin with a mounted, read-only config that passes Myelin's validation and keeps registration closed", async () => {
    const config = await containerConfig();
    expect(myelin.volumes).toContain(`./docker/homeserver.yaml:${myelin.environment!.MYELIN_CONFIG}:ro`);
    expect(config.registration.enabled === false || config.registration.require_token).toBe(true);
  });

  it("publishes the listener on the host's loopback only, and the config listens on that port", async () => {
    const config = await containerConfig();
    const [hostAddress, hostPort, containerPort] = myelin.ports![0].split(":");
    expect(hostAddress).toBe("127.0.0.1");
    expect(config.listeners[0]).toMatchObject({ port: Number(containerPort), bind_address: "0.0.0.0" });
    expect(hostPort).toBe(containerPort);
  });

  it("points the config at the postgres service with its credentials, and data_dir at the data volume", async () => {
    const config = await containerConfig();
    const postgres = compose.services.postgres.environment!;
    const url = new URL(config.database.url!);
    expect(config.database.type).toBe("postgres");
    expect([url.hostname, url.username, url.password, url.pathname]).toEqual(["postgres", postgres.POSTGRES_USER, postgres.POSTGRES_PASSWORD, `/${postgres.POSTGRES_DB}`]);
    expect(myelin.volumes!.some((volume) => volume.split(":")[1] === config.data_dir)).toBe(true);
  });

  it("gives every service a restart policy and a healthcheck, and starts Myelin once PostgreSQL is healthy", () => {
    for (const service of Object.values(compose.services)) {
      expect(service.restart).toMatch(/^(always|unless-stopped|on-failure)/);
      expect(service.healthcheck?.test.length).toBeGreaterThan(0);
    }
    expect(myelin.depends_on).toEqual({ postgres: { condition: "service_healthy" } });
  });

  it("runs Myelin as a user other than root", () => {
    expect(myelin.user).toBeDefined();
    expect(["root", "0", "0:0"]).not.toContain(myelin.user);
  });
});

describe("Dockerfile", () => {
  const instructions = dockerfile.split("\n").filter((line) => /^[A-Z]+ /.test(line));

  it("switches to a user other than root before it runs the server", () => {
    const users = instructions.filter((line) => line.startsWith("USER "));
    expect(users.length).toBeGreaterThan(0);
    expect(["root", "0"]).not.toContain(users.at(-1)!.slice("USER ".length).trim());
    expect(instructions.findIndex((line) => line.startsWith("USER "))).toBeLessThan(instructions.findIndex((line) => line.startsWith("CMD ")));
  });

  it("declares a HEALTHCHECK, and defaults to the shipped config", () => {
    expect(instructions.some((line) => /^HEALTHCHECK .*CMD \["node", "docker\/healthcheck\.mjs"\]/.test(line))).toBe(true);
    expect(instructions).toContain("COPY docker/homeserver.yaml /config/homeserver.yaml");
    expect(instructions).toContain("ENV MYELIN_CONFIG=/config/homeserver.yaml");
  });
});

describe("docker/healthcheck.mjs", () => {
  const { app } = useTestApp("embedded");
  let port: number;
  beforeAll(async () => {
    await app.http.listen({ port: 0, host: "127.0.0.1" });
    port = (app.http.server.address() as AddressInfo).port;
  });

  const check = (env: NodeJS.ProcessEnv) =>
    new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [join(REPO_ROOT, "docker/healthcheck.mjs")], { env: { PATH: process.env.PATH, ...env }, stdio: "ignore" });
      child.once("close", resolve);
    });

  it("reports healthy (exit 0) while the client API answers on MYELIN_PORT", async () => {
    expect(await check({ MYELIN_PORT: String(port) })).toBe(0);
  });

  it("reports unhealthy (exit 1) when nothing answers", async () => {
    expect(await check({ MYELIN_PORT: String(await freePort()) })).toBe(1);
  });
});
