import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApnsProviderTokens } from "./apns/apns-provider-token.js";
import { createGoogleAccessTokens } from "./fcm/google-access-token.js";
import { FcmStandIn } from "./testing/fcm-stand-in.js";
import { verifyJwt } from "./testing/jwt-check.js";

describe("APNs provider tokens", () => {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });

  it("are ES256 JWTs naming the key and team, reused for under an hour and then made anew", () => {
    let now = 1_700_000_000_000;
    const tokens = createApnsProviderTokens({ teamId: "TEAM123456", keyId: "KEY1234567", key: privateKey, now: () => now });
    const first = tokens.get();
    const { header, claims } = verifyJwt(first, "ES256", publicKey);
    expect(header).toEqual({ alg: "ES256", kid: "KEY1234567" });
    expect(claims).toEqual({ iss: "TEAM123456", iat: 1_700_000_000 });
    now += 49 * 60_000;
    expect(tokens.get()).toBe(first);
    now += 2 * 60_000;
    const second = tokens.get();
    expect(second).not.toBe(first);
    expect(verifyJwt(second, "ES256", publicKey).claims.iat).toBe(Math.floor(now / 1000));
    tokens.invalidate(second);
    expect(tokens.get()).not.toBe(second);
  });
});

describe("Google access tokens for a service account", () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const clientEmail = "gw@project.iam.gserviceaccount.com";
  let google: FcmStandIn;
  beforeAll(async () => {
    google = await new FcmStandIn("project", clientEmail, publicKey).start();
  });
  afterAll(() => google.stop());

  it("are cached until shortly before they expire, one exchange for concurrent callers", async () => {
    google.tokenLifetimeSeconds = 120;
    let now = Date.now();
    const tokens = createGoogleAccessTokens({ account: { clientEmail, privateKey, privateKeyId: "kid1" }, tokenEndpoint: google.tokenEndpoint, timeoutMs: 5000, now: () => now });
    const [a, b] = await Promise.all([tokens.get(), tokens.get()]);
    expect(a).toBe(b);
    expect(google.tokenRequests).toHaveLength(1);
    expect(google.failures).toEqual([]);
    now += 50_000;
    expect(await tokens.get()).toBe(a);
    now += 11_000; // within the token's last minute: renewed
    const renewed = await tokens.get();
    expect(renewed).not.toBe(a);
    expect(google.tokenRequests).toHaveLength(2);
  });

  it("fail as a retryable error when the token endpoint refuses the assertion", async () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const tokens = createGoogleAccessTokens({ account: { clientEmail, privateKey: other.privateKey }, tokenEndpoint: google.tokenEndpoint, timeoutMs: 5000 });
    await expect(tokens.get()).rejects.toMatchObject({ name: "TransientDeliveryError" });
  });
});
