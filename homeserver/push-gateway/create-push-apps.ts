import type { OutgoingHttp } from "../core/outgoing-http.js";
import type { Logger } from "../core/logger.js";
import { createApnsApp } from "./apns/apns-app.js";
import { createApnsProviderTokens } from "./apns/apns-provider-token.js";
import { loadApnsSigningKey, loadServiceAccount, loadVapidKeys } from "./config/app-credentials.js";
import type { AppConfig, PushGatewayConfig } from "./config/gateway-config.js";
import { createFcmApp } from "./fcm/fcm-app.js";
import { createGoogleAccessTokens } from "./fcm/google-access-token.js";
import type { PushApp } from "./push-app.js";
import { createWebPushApp } from "./webpush/webpush-app.js";

/** What the apps need from outside: the guarded client for user-supplied WebPush endpoints, and a logger. */
export interface PushAppDependencies {
  webPushHttp: OutgoingHttp;
  logger: Logger;
}

async function createPushApp(appId: string, app: AppConfig, timeoutMs: number, deps: PushAppDependencies): Promise<PushApp> {
  switch (app.type) {
    case "webpush":
      return createWebPushApp({
        appId,
        vapid: await loadVapidKeys(appId, app.vapid_private_key, app.vapid_public_key),
        contact: app.vapid_contact_email,
        ttlSeconds: app.ttl,
        http: deps.webPushHttp,
        timeoutMs,
        logger: deps.logger,
      });
    case "fcm": {
      const account = await loadServiceAccount(appId, app.service_account_file);
      return createFcmApp({
        appId,
        projectId: app.project_id,
        endpoint: app.endpoint,
        tokens: createGoogleAccessTokens({ account, tokenEndpoint: app.token_endpoint, timeoutMs }),
        timeoutMs,
        logger: deps.logger,
      });
    }
    case "apns": {
      const key = await loadApnsSigningKey(appId, app.key_file);
      return createApnsApp({
        appId,
        endpoint: app.endpoint,
        topic: app.topic,
        tokens: createApnsProviderTokens({ teamId: app.team_id, keyId: app.key_id, key }),
        timeoutMs,
        logger: deps.logger,
      });
    }
  }
}

/** Every configured app by its app_id; key files are read here, so a bad one fails the start. */
export async function createPushApps(config: PushGatewayConfig, deps: PushAppDependencies): Promise<Map<string, PushApp>> {
  const apps = new Map<string, PushApp>();
  for (const [appId, app] of Object.entries(config.apps)) apps.set(appId, await createPushApp(appId, app, config.request_timeout_ms, deps));
  return apps;
}
