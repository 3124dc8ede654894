import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../core/config.js";
import { DEFAULT_IP_RANGE_BLOCKLIST } from "../../core/config-schema.js";
import { loadVapidKeys } from "./app-credentials.js";
import { APNS_SANDBOX_ENDPOINT, buildPushGatewayConfig, loadPushGatewayConfig } from "./gateway-config.js";
import { newVapidKeys } from "../testing/test-gateway.js";

const dir = mkdtempSync(join(tmpdir(), "myelin-push-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WEBPUSH = { type: "webpush", vapid_private_key: "k".repeat(43), vapid_contact_email: "ops@example.org" };
const APNS = { type: "apns", team_id: "TEAM123456", key_id: "KEY1234567", key_file: "/keys/AuthKey.p8", topic: "org.example.app" };
const FCM = { type: "fcm", project_id: "my-project", service_account_file: "/keys/sa.json" };

function errorOf(raw: unknown): string {
  try {
    buildPushGatewayConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("the config was accepted");
}

describe("the push gateway's configuration", () => {
  it("fills in the defaults: 127.0.0.1:5000, the private-range blocklist, Google's and Apple's endpoints", () => {
    const config = buildPushGatewayConfig({ apps: { web: WEBPUSH, ios: APNS, android: FCM } });
    expect(config.listen).toEqual({ host: "127.0.0.1", port: 5000 });
    expect(config.ip_range_blocklist).toEqual(DEFAULT_IP_RANGE_BLOCKLIST);
    expect(config.ip_range_allowlist).toEqual([]);
    expect(config.apps.web).toMatchObject({ ttl: 86_400 });
    expect(config.apps.ios).toMatchObject({ platform: "production", endpoint: "https://api.push.apple.com" });
    expect(config.apps.android).toMatchObject({ endpoint: "https://fcm.googleapis.com", token_endpoint: "https://oauth2.googleapis.com/token" });
  });

  it("uses the APNs sandbox for platform: sandbox, and a configured endpoint over either", () => {
    expect(buildPushGatewayConfig({ apps: { ios: { ...APNS, platform: "sandbox" } } }).apps.ios).toMatchObject({ endpoint: APNS_SANDBOX_ENDPOINT });
    expect(buildPushGatewayConfig({ apps: { ios: { ...APNS, platform: "sandbox", endpoint: "http://127.0.0.1:9" } } }).apps.ios).toMatchObject({ endpoint: "http://127.0.0.1:9" });
  });

  it("names every wrong key, by its path", () => {
    const message = errorOf({
      listen: { port: "x" },
      bogus: 1,
      apps: { web: { ...WEBPUSH, vapid_contact_email: undefined }, ios: { ...APNS, team_id: "lower", extra: true }, odd: { type: "email" } },
    });
    expect(message).toMatch(/listen\.port: must be integer/);
    expect(message).toMatch(/bogus: unknown key/);
    expect(message).toMatch(/apps\.odd\.type: must be one of webpush, fcm, apns/);
    const perApp = errorOf({ apps: { web: { ...WEBPUSH, vapid_contact_email: undefined }, ios: { ...APNS, team_id: "lower", extra: true } } });
    expect(perApp).toMatch(/apps\.web\.vapid_contact_email: required/);
    expect(perApp).toMatch(/apps\.ios\.team_id: must match/);
    expect(perApp).toMatch(/apps\.ios\.extra: unknown key/);
    expect(errorOf({ apps: {} })).toMatch(/apps/);
    expect(errorOf({})).toMatch(/apps: required/);
  });

  it("reads YAML from a file, and says which file it cannot read", async () => {
    const path = join(dir, "gateway.yaml");
    writeFileSync(path, "listen:\n  port: 5005\napps:\n  web:\n    type: webpush\n    vapid_private_key: " + "k".repeat(43) + "\n    vapid_contact_email: ops@example.org\n");
    expect((await loadPushGatewayConfig(path)).listen.port).toBe(5005);
    await expect(loadPushGatewayConfig(join(dir, "missing.yaml"))).rejects.toThrow(/cannot read push gateway config file .*missing\.yaml/);
  });

  it("takes every raw VAPID key, also the one in 256 whose first byte is zero (the tests' keys keep their 32 bytes)", async () => {
    for (let i = 0; i < 2_000; i++) {
      const { privateKey, publicKey } = newVapidKeys();
      expect(privateKey).toHaveLength(43);
      expect(await loadVapidKeys("web", privateKey, undefined)).toEqual({ privateKey, publicKey });
    }
  });

  it("takes the VAPID key raw or from a PEM file, derives the public key, and refuses one that does not match", async () => {
    const { privateKey: raw, publicKey } = newVapidKeys();
    expect(await loadVapidKeys("web", raw, undefined)).toEqual({ privateKey: raw, publicKey });

    const pemPath = join(dir, "vapid.pem");
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    writeFileSync(pemPath, privateKey.export({ type: "sec1", format: "pem" }));
    const fromPem = await loadVapidKeys("web", pemPath, undefined);
    expect(fromPem.privateKey).toBe(privateKey.export({ format: "jwk" }).d);

    await expect(loadVapidKeys("web", raw, fromPem.publicKey)).rejects.toThrow(/apps\.web\.vapid_public_key: does not belong/);
    await expect(loadVapidKeys("web", join(dir, "nope.pem"), undefined)).rejects.toThrow(/cannot read apps\.web\.vapid_private_key/);
  });
});

describe("push-gateway.sample.yaml", () => {
  it("is a valid configuration with one app of each type", async () => {
    const config = await loadPushGatewayConfig(join(import.meta.dirname, "../../../push-gateway.sample.yaml"));
    expect(Object.values(config.apps).map((app) => app.type).sort()).toEqual(["apns", "fcm", "webpush"]);
    expect(config.listen).toEqual({ host: "127.0.0.1", port: 5000 });
  });
});
