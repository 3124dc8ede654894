import { createECDH, generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NOTIFY_PATH, type PushNotification } from "../../../schemas/push-gateway/notify.js";
import { silentLogger } from "../../core/logger.js";
import { buildPushGatewayConfig, type PushGatewayConfig } from "../config/gateway-config.js";
import { startPushGateway, type RunningPushGateway } from "../start-push-gateway.js";
import { ApnsStandIn } from "./apns-stand-in.js";
import { FcmStandIn } from "./fcm-stand-in.js";
import { WebPushReceiver } from "./webpush-receiver.js";
import { afterAll, beforeAll } from "vitest";
import { standIn } from "../../core/testing/stand-in.js";

/** Key material as the operator would have it: VAPID keys, a service account file and a .p8 file. */
export interface TestCredentials {
  dir: string;
  vapid: { privateKey: string; publicKey: string };
  serviceAccount: { path: string; clientEmail: string; publicKey: KeyObject };
  apns: { keyFile: string; publicKey: KeyObject; teamId: string; keyId: string; topic: string };
  remove(): void;
}

export const TEST_FCM_PROJECT = "myelin-test";

/** A VAPID key pair in base64url, as `web-push generate-vapid-keys` prints it. */
export function newVapidKeys(): { privateKey: string; publicKey: string } {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  // getPrivateKey drops leading zero bytes (one key in 256): a VAPID private key is always its 32 bytes.
  const privateKey = Buffer.alloc(32);
  const raw = ecdh.getPrivateKey();
  raw.copy(privateKey, 32 - raw.length);
  return { privateKey: privateKey.toString("base64url"), publicKey: ecdh.getPublicKey().toString("base64url") };
}

export function writeTestCredentials(): TestCredentials {
  const dir = mkdtempSync(join(tmpdir(), "myelin-push-gateway-"));
  const vapid = newVapidKeys();

  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const clientEmail = `gateway@${TEST_FCM_PROJECT}.iam.gserviceaccount.com`;
  const serviceAccountPath = join(dir, "service-account.json");
  writeFileSync(
    serviceAccountPath,
    JSON.stringify({
      type: "service_account",
      project_id: TEST_FCM_PROJECT,
      private_key_id: "0123456789abcdef",
      private_key: rsa.privateKey.export({ type: "pkcs8", format: "pem" }),
      client_email: clientEmail,
      token_uri: "https://oauth2.googleapis.com/token",
    }),
  );

  const ec = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const keyFile = join(dir, "AuthKey_ABCDE12345.p8");
  writeFileSync(keyFile, ec.privateKey.export({ type: "pkcs8", format: "pem" }));

  return {
    dir,
    vapid,
    serviceAccount: { path: serviceAccountPath, clientEmail, publicKey: rsa.publicKey },
    apns: { keyFile, publicKey: ec.publicKey, teamId: "TEAM123456", keyId: "ABCDE12345", topic: "org.example.myelin" },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The three stand-ins, started, with the app ids a test config names them by. */
export interface PushServices {
  webPush: WebPushReceiver;
  fcm: FcmStandIn;
  apns: ApnsStandIn;
  stop(): Promise<void>;
}

export async function startPushServices(credentials: TestCredentials): Promise<PushServices> {
  const webPush = await new WebPushReceiver(credentials.vapid.publicKey).start();
  const fcm = await new FcmStandIn(TEST_FCM_PROJECT, credentials.serviceAccount.clientEmail, credentials.serviceAccount.publicKey).start();
  const apns = await new ApnsStandIn(credentials.apns.teamId, credentials.apns.keyId, credentials.apns.publicKey, credentials.apns.topic).start();
  return { webPush, fcm, apns, stop: async () => void (await Promise.all([webPush.stop(), fcm.stop(), apns.stop()])) };
}

export const WEBPUSH_APP = "org.example.web";
export const FCM_APP = "org.example.android";
export const APNS_APP = "org.example.ios";

/** A gateway config with one app of each type pointed at the stand-ins; 127.0.0.0/8 opened for WebPush. */
export function testGatewayConfig(credentials: TestCredentials, services: PushServices, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    listen: { host: "127.0.0.1", port: 0 },
    log_level: "silent",
    ip_range_allowlist: ["127.0.0.0/8"],
    request_timeout_ms: 5000,
    apps: {
      [WEBPUSH_APP]: { type: "webpush", vapid_private_key: credentials.vapid.privateKey, vapid_contact_email: "push@example.org" },
      [FCM_APP]: {
        type: "fcm",
        project_id: TEST_FCM_PROJECT,
        service_account_file: credentials.serviceAccount.path,
        endpoint: services.fcm.origin,
        token_endpoint: services.fcm.tokenEndpoint,
      },
      [APNS_APP]: {
        type: "apns",
        team_id: credentials.apns.teamId,
        key_id: credentials.apns.keyId,
        key_file: credentials.apns.keyFile,
        topic: credentials.apns.topic,
        endpoint: services.apns.origin,
      },
    },
    ...overrides,
  };
}

export interface TestGateway {
  gateway: RunningPushGateway;
  /** The URL a pusher's data.url names. */
  notifyUrl: string;
  notify(notification: PushNotification | Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }>;
  post(body: string, contentType?: string): Promise<{ status: number; body: Record<string, unknown> }>;
}

export async function startTestGateway(config: Record<string, unknown>): Promise<TestGateway> {
  const built: PushGatewayConfig = buildPushGatewayConfig(config);
  const gateway = await startPushGateway(built, { logger: silentLogger });
  const notifyUrl = `http://127.0.0.1:${gateway.port}${NOTIFY_PATH}`;
  const post = async (body: string, contentType = "application/json") => {
    const response = await fetch(notifyUrl, { method: "POST", headers: { "content-type": contentType }, body });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  return { gateway, notifyUrl, post, notify: (notification) => post(JSON.stringify({ notification })) };
}

/**
 * The push services' stand-ins, their credentials and a gateway in front of them, as hooks of the enclosing
 * describe (started in beforeAll, stopped in afterAll; put it before useTestApp so that they outlive the app).
 * The three objects stand for the real ones, which exist only while the tests run.
 */
export function useTestPushGateway(): { credentials: TestCredentials; services: PushServices; gateway: TestGateway } {
  let credentials: TestCredentials | undefined;
  let services: PushServices | undefined;
  let gateway: TestGateway | undefined;
  beforeAll(async () => {
    credentials = writeTestCredentials();
    services = await startPushServices(credentials);
    gateway = await startTestGateway(testGatewayConfig(credentials, services));
  });
  afterAll(async () => {
    await gateway?.gateway.stop();
    await services?.stop();
    credentials?.remove();
    gateway = services = credentials = undefined;
  });
  return {
    credentials: standIn("the push credentials", () => credentials),
    services: standIn("the push services", () => services),
    gateway: standIn("the push gateway", () => gateway),
  };
}

