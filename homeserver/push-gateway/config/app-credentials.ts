import { createECDH, createPrivateKey, type KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import { ConfigError } from "../../core/config.js";

/** Key material read at startup, so that a wrong file stops the gateway before it serves anything. */

export interface VapidKeys {
  /** base64url, the raw 32-byte P-256 private scalar (what web-push takes). */
  privateKey: string;
  /** base64url, the 65-byte uncompressed public point. */
  publicKey: string;
}

export interface ServiceAccount {
  clientEmail: string;
  privateKey: KeyObject;
  privateKeyId?: string;
}

const RAW_VAPID_KEY = /^[A-Za-z0-9_-]{43}$/;

async function readKeyFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read ${what} ${path}: ${(error as Error).message}`);
  }
}

/** `vapid_private_key` is either the base64url key itself or the path of a PEM file holding it (as Sygnal's). */
export async function loadVapidKeys(appId: string, privateKeySetting: string, publicKeySetting: string | undefined): Promise<VapidKeys> {
  let privateKey: string;
  if (RAW_VAPID_KEY.test(privateKeySetting)) privateKey = privateKeySetting;
  else {
    const pem = await readKeyFile(privateKeySetting, `apps.${appId}.vapid_private_key`);
    try {
      const jwk = createPrivateKey(pem).export({ format: "jwk" });
      if (jwk.crv !== "P-256" || !jwk.d) throw new Error("not a P-256 EC private key");
      privateKey = jwk.d;
    } catch (error) {
      throw new ConfigError(`apps.${appId}.vapid_private_key: ${(error as Error).message}`);
    }
  }
  const ecdh = createECDH("prime256v1");
  try {
    ecdh.setPrivateKey(Buffer.from(privateKey, "base64url"));
  } catch {
    throw new ConfigError(`apps.${appId}.vapid_private_key: not a P-256 private key`);
  }
  const publicKey = ecdh.getPublicKey().toString("base64url");
  if (publicKeySetting !== undefined && publicKeySetting !== publicKey) {
    throw new ConfigError(`apps.${appId}.vapid_public_key: does not belong to vapid_private_key`);
  }
  return { privateKey, publicKey };
}

export async function loadServiceAccount(appId: string, path: string): Promise<ServiceAccount> {
  const text = await readKeyFile(path, `apps.${appId}.service_account_file`);
  try {
    const parsed = JSON.parse(text) as { client_email?: unknown; private_key?: unknown; private_key_id?: unknown };
    if (typeof parsed.client_email !== "string" || typeof parsed.private_key !== "string") throw new Error("needs client_email and private_key");
    const privateKey = createPrivateKey(parsed.private_key);
    if (privateKey.asymmetricKeyType !== "rsa") throw new Error("private_key is not an RSA key");
    return { clientEmail: parsed.client_email, privateKey, privateKeyId: typeof parsed.private_key_id === "string" ? parsed.private_key_id : undefined };
  } catch (error) {
    throw new ConfigError(`apps.${appId}.service_account_file: not a service account key file (${(error as Error).message})`);
  }
}

/** The .p8 file Apple hands out: a PKCS#8 P-256 key. */
export async function loadApnsSigningKey(appId: string, path: string): Promise<KeyObject> {
  const pem = await readKeyFile(path, `apps.${appId}.key_file`);
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") throw new Error("not a P-256 key");
    return key;
  } catch (error) {
    throw new ConfigError(`apps.${appId}.key_file: not an APNs .p8 key (${(error as Error).message})`);
  }
}
