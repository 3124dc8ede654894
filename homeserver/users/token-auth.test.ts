import { describe, expect, it } from "vitest";
import type { MatrixError } from "../errors.js";
import { hashToken } from "./secrets.js";
import type { AccessTokenOwner, TokenStore } from "../storage/stores/token-store.js";
import { AccessTokenAuth, CACHE_TTL_MS, REFRESH_AFTER_MS } from "./token-auth.js";

/** An in-memory stand-in for TokenStore's lookup, counting reads and able to hold one open. */
function fakeStore() {
  const rows = new Map<string, AccessTokenOwner>();
  let reads = 0;
  let gate: Promise<void> | undefined;
  const store = {
    async findAccessToken(hash: string) {
      reads++;
      const row = rows.get(hash);
      if (gate) await gate;
      return row;
    },
  } as unknown as TokenStore;
  return {
    store,
    rows,
    reads: () => reads,
    hold(): () => void {
      let release!: () => void;
      gate = new Promise((resolve) => (release = resolve));
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

const owner = (userId: string, expiresTs: number | null = null): AccessTokenOwner => ({ userId, deviceId: "D", expiresTs, isAdmin: false, deactivated: false });

/** "tok" of @a:x, looked up once at time 0 on a clock the test moves. */
async function cachedToken() {
  const fake = fakeStore();
  fake.rows.set(hashToken("tok"), owner("@a:x"));
  const clock = { t: 0, now: () => clock.t };
  const auth = new AccessTokenAuth(fake.store, clock);
  await auth.authenticate("tok");
  return { fake, clock, auth };
}

describe("AccessTokenAuth", () => {
  it("resolves a known token to its requester and answers repeat lookups from memory", async () => {
    const fake = fakeStore();
    fake.rows.set(hashToken("tok"), owner("@a:x"));
    const auth = new AccessTokenAuth(fake.store, { now: () => 0 });
    expect(await auth.authenticate("tok")).toEqual({ userId: "@a:x", deviceId: "D", isAdmin: false, tokenHash: hashToken("tok") });
    await auth.authenticate("tok");
    expect(fake.reads()).toBe(1);
  });

  it("checks a token again by the hash its requester carries, with the same answers as by the token", async () => {
    const { fake, auth } = await cachedToken();
    const requester = await auth.authenticate("tok");
    expect(await auth.authenticateHash(requester.tokenHash)).toEqual(requester);
    expect(fake.reads()).toBe(1);
    await expect(auth.authenticateHash(hashToken("other"))).rejects.toMatchObject({ errcode: "M_UNKNOWN_TOKEN" });
    fake.rows.delete(hashToken("tok"));
    auth.forgetUser("@a:x");
    await expect(auth.authenticateHash(requester.tokenHash)).rejects.toMatchObject({ errcode: "M_UNKNOWN_TOKEN" });
  });

  it("refuses a revoked token as soon as forgetUser runs, even though it was cached", async () => {
    const fake = fakeStore();
    fake.rows.set(hashToken("tok"), owner("@a:x"));
    const auth = new AccessTokenAuth(fake.store, { now: () => 0 });
    await auth.authenticate("tok");
    fake.rows.delete(hashToken("tok"));
    auth.forgetUser("@a:x");
    await expect(auth.authenticate("tok")).rejects.toMatchObject({ errcode: "M_UNKNOWN_TOKEN" });
  });

  it("does not cache a lookup that read the database while a revocation committed", async () => {
    const fake = fakeStore();
    fake.rows.set(hashToken("tok"), owner("@a:x"));
    const auth = new AccessTokenAuth(fake.store, { now: () => 0 });
    const release = fake.hold();
    const inFlight = auth.authenticate("tok"); // has read the row, not yet returned
    fake.rows.delete(hashToken("tok"));
    auth.forgetUser("@a:x");
    release();
    await inFlight; // it may still succeed: it started before the revocation
    await expect(auth.authenticate("tok")).rejects.toMatchObject({ errcode: "M_UNKNOWN_TOKEN" });
  });

  it("answers an expired token with M_UNKNOWN_TOKEN and soft_logout, unless expired tokens are allowed (logout)", async () => {
    const fake = fakeStore();
    fake.rows.set(hashToken("tok"), owner("@a:x", 1000));
    const clock = { t: 999, now: () => clock.t };
    const auth = new AccessTokenAuth(fake.store, clock);
    await expect(auth.authenticate("tok")).resolves.toMatchObject({ userId: "@a:x" });
    clock.t = 1000;
    const error = (await auth.authenticate("tok").catch((e: unknown) => e)) as MatrixError;
    expect(error.status).toBe(401);
    expect(error.toJSON()).toMatchObject({ errcode: "M_UNKNOWN_TOKEN", soft_logout: true });
    await expect(auth.authenticate("tok", { allowExpired: true })).resolves.toMatchObject({ userId: "@a:x" });
  });

  it("refuses tokens of deactivated users", async () => {
    const fake = fakeStore();
    fake.rows.set(hashToken("tok"), { ...owner("@a:x"), deactivated: true });
    const auth = new AccessTokenAuth(fake.store, { now: () => 0 });
    await expect(auth.authenticate("tok")).rejects.toMatchObject({ errcode: "M_UNKNOWN_TOKEN" });
  });

  it("re-reads the database once a cached entry is older than the cache lifetime", async () => {
    const { fake, clock, auth } = await cachedToken();
    clock.t += CACHE_TTL_MS;
    await auth.authenticate("tok");
    expect(fake.reads()).toBe(2);
  });

  it("answers from memory past half the lifetime while it re-reads in the background, once", async () => {
    const { fake, clock, auth } = await cachedToken();
    clock.t = REFRESH_AFTER_MS;
    const release = fake.hold();
    // Both answered while the refresh is still held in the database.
    await expect(auth.authenticate("tok")).resolves.toMatchObject({ userId: "@a:x" });
    await expect(auth.authenticate("tok")).resolves.toMatchObject({ userId: "@a:x" });
    expect(fake.reads()).toBe(2);
    release();
    await new Promise(setImmediate);
    // Past the first read's lifetime, the refreshed entry is still answered without waiting for the database.
    clock.t = CACHE_TTL_MS + 1;
    fake.hold();
    await expect(auth.authenticate("tok")).resolves.toMatchObject({ userId: "@a:x" });
  });

  it("drops a cached token that a background re-read no longer finds (revoked by another process)", async () => {
    const { fake, clock, auth } = await cachedToken();
    fake.rows.delete(hashToken("tok"));
    clock.t = REFRESH_AFTER_MS;
    await auth.authenticate("tok"); // still the cached answer; the refresh finds nothing
    await new Promise(setImmediate);
    await expect(auth.authenticate("tok")).rejects.toMatchObject({ errcode: "M_UNKNOWN_TOKEN" });
  });

  it("does not let a background re-read bring back a token revoked while it ran", async () => {
    const { fake, clock, auth } = await cachedToken();
    clock.t = REFRESH_AFTER_MS;
    const release = fake.hold();
    await auth.authenticate("tok"); // starts the refresh, which reads the row and is held
    auth.forgetUser("@a:x");
    fake.rows.delete(hashToken("tok"));
    release();
    await new Promise(setImmediate);
    await expect(auth.authenticate("tok")).rejects.toMatchObject({ errcode: "M_UNKNOWN_TOKEN" });
  });
});
