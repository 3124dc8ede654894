import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../app/test-app.js";
import { testDrivers } from "../test-databases.js";
import { claimKey, type E2eKeysStore, type StoredKey } from "./e2e-keys-store.js";

describe.each(testDrivers())("E2eKeysStore on %s", (driver) => {
  let app: TestApp;
  let store: E2eKeysStore;

  beforeAll(async () => {
    app = await createTestApp(driver);
    store = app.ctx.stores.e2eKeys;
  });
  afterAll(() => app.dispose());

  /** A fresh device row (keys reference their device). */
  const newDevice = async (userId = `@u-${randomBytes(4).toString("hex")}:test.local`, deviceId = "DEV") => {
    await app.ctx.database.transaction((tx) => app.ctx.stores.devices.ensure(tx, { userId, deviceId, displayName: "Phone", ts: 1, ip: null }));
    return { userId, deviceId };
  };
  const otk = (keyId: string, algorithm = "signed_curve25519"): StoredKey => ({ algorithm, keyId, keyJson: JSON.stringify({ key: `k-${keyId}` }) });
  const addKeys = (userId: string, deviceId: string, keys: StoredKey[]) =>
    app.ctx.database.transaction((tx) => store.addOneTimeKeys(tx, userId, deviceId, keys));
  const setFallback = (userId: string, deviceId: string, key: StoredKey) =>
    app.ctx.database.transaction((tx) => store.setFallbackKey(tx, userId, deviceId, key));

  it("hands out one-time keys in upload order, each once, deleting it; then none", async () => {
    const { userId, deviceId } = await newDevice();
    await addKeys(userId, deviceId, [otk("A1")]);
    await addKeys(userId, deviceId, [otk("A2")]);
    await addKeys(userId, deviceId, [otk("B1", "curve25519")]);
    const claim = { userId, deviceId, algorithm: "signed_curve25519" };
    expect(await store.countOneTimeKeys(app.ctx.db, userId, deviceId)).toEqual({ signed_curve25519: 2, curve25519: 1 });
    expect((await store.claimOneTimeKey(claim))?.keyId).toBe("A1");
    expect((await store.claimOneTimeKey(claim))?.keyId).toBe("A2");
    expect(await store.claimOneTimeKey(claim)).toBeUndefined();
    expect(await store.countOneTimeKeys(app.ctx.db, userId, deviceId)).toEqual({ curve25519: 1 });
  });

  it("never hands out a one-time key twice when many claims run at the same time", async () => {
    const { userId, deviceId } = await newDevice();
    const keys = Array.from({ length: 25 }, (_, i) => otk(`K${String(i).padStart(2, "0")}`));
    await addKeys(userId, deviceId, keys);
    const claim = { userId, deviceId, algorithm: "signed_curve25519" };
    const results = await Promise.all(Array.from({ length: 60 }, () => store.claimOneTimeKey(claim)));
    const handedOut = results.filter((r) => r !== undefined).map((r) => r.keyId);
    expect(new Set(handedOut).size).toBe(handedOut.length);
    expect(handedOut.sort()).toEqual(keys.map((k) => k.keyId).sort());
    expect(await store.countOneTimeKeys(app.ctx.db, userId, deviceId)).toEqual({});
  });

  it("with as many concurrent claims as keys, every claim gets a key of its own (a claim skips a key another holds, it does not come back empty)", async () => {
    const { userId, deviceId } = await newDevice();
    const keys = Array.from({ length: 20 }, (_, i) => otk(`C${String(i).padStart(2, "0")}`));
    await addKeys(userId, deviceId, keys);
    const claim = { userId, deviceId, algorithm: "signed_curve25519" };
    const results = await Promise.all(keys.map(() => store.claimOneTimeKey(claim)));
    expect(results.map((r) => r?.keyId).sort()).toEqual(keys.map((k) => k.keyId).sort());
  });

  it("claimKeys claims for many devices at once: each device's oldest one-time key, its fallback key where none is left, nothing where it has neither", async () => {
    const a = await newDevice();
    const b = await newDevice();
    const c = await newDevice();
    await addKeys(a.userId, a.deviceId, [otk("A1"), otk("A2")]);
    await setFallback(b.userId, b.deviceId, otk("FB"));
    const claims = [a, b, c].map((d) => ({ ...d, algorithm: "signed_curve25519" }));
    const first = await store.claimKeys(claims);
    expect(first.get(claimKey(claims[0]))?.keyId).toBe("A1");
    expect(first.get(claimKey(claims[1]))?.keyId).toBe("FB");
    expect(first.has(claimKey(claims[2]))).toBe(false);
    expect(await store.unusedFallbackKeyTypes(b.userId, b.deviceId)).toEqual([]);
    const second = await store.claimKeys(claims);
    expect(second.get(claimKey(claims[0]))?.keyId).toBe("A2");
    expect(second.get(claimKey(claims[1]))?.keyId).toBe("FB");
    expect(await store.countOneTimeKeys(app.ctx.db, a.userId, a.deviceId)).toEqual({});
  });

  it("concurrent claimKeys of the same devices never hand out a one-time key twice", async () => {
    const devices = await Promise.all(Array.from({ length: 5 }, () => newDevice()));
    for (const d of devices) await addKeys(d.userId, d.deviceId, Array.from({ length: 8 }, (_, i) => otk(`K${i}`)));
    const claims = devices.map((d) => ({ ...d, algorithm: "signed_curve25519" }));
    const results = await Promise.all(Array.from({ length: 12 }, () => store.claimKeys(claims)));
    for (const claim of claims) {
      const handedOut = results.flatMap((r) => (r.has(claimKey(claim)) ? [r.get(claimKey(claim))!.keyId] : []));
      expect(handedOut.sort()).toEqual(Array.from({ length: 8 }, (_, i) => `K${i}`));
    }
  });

  it("a fallback key is handed out again and again, marked used; re-setting the same key keeps it used, a new key is unused", async () => {
    const { userId, deviceId } = await newDevice();
    const claim = { userId, deviceId, algorithm: "signed_curve25519" };
    expect(await store.claimFallbackKey(claim)).toBeUndefined();
    await setFallback(userId, deviceId, otk("F1"));
    expect(await store.unusedFallbackKeyTypes(userId, deviceId)).toEqual(["signed_curve25519"]);
    expect((await store.claimFallbackKey(claim))?.keyId).toBe("F1");
    expect((await store.claimFallbackKey(claim))?.keyId).toBe("F1");
    expect(await store.unusedFallbackKeyTypes(userId, deviceId)).toEqual([]);
    await setFallback(userId, deviceId, otk("F1"));
    expect(await store.fallbackKeys(userId, deviceId)).toEqual([{ ...otk("F1"), used: true }]);
    await setFallback(userId, deviceId, otk("F2"));
    expect(await store.fallbackKeys(userId, deviceId)).toEqual([{ ...otk("F2"), used: false }]);
    expect(await store.unusedFallbackKeyTypes(userId, deviceId)).toEqual(["signed_curve25519"]);
  });

  it("finds stored one-time keys by algorithm and id, and device keys by user or by device", async () => {
    const { userId, deviceId } = await newDevice();
    await newDevice(userId, "OTHER");
    await addKeys(userId, deviceId, [otk("X"), otk("X", "curve25519")]);
    const found = await app.ctx.database.transaction((tx) => store.oneTimeKeysAmong(tx, userId, deviceId, [otk("X"), otk("Y")]));
    expect(found).toEqual([otk("X")]);
    await app.ctx.database.transaction(async (tx) => {
      await store.putDeviceKeys(tx, userId, deviceId, '{"a":1}', 5);
      await store.putDeviceKeys(tx, userId, "OTHER", '{"b":2}', 5);
    });
    const all = await store.queryDeviceKeys([{ userId, deviceIds: null }]);
    expect(all.map((r) => r.deviceId)).toEqual(["DEV", "OTHER"]);
    expect(all[0]).toEqual({ userId, deviceId: "DEV", keyJson: '{"a":1}', displayName: "Phone" });
    const one = await store.queryDeviceKeys([{ userId, deviceIds: ["OTHER", "MISSING"] }]);
    expect(one.map((r) => r.deviceId)).toEqual(["OTHER"]);
    expect(await store.queryDeviceKeys([])).toEqual([]);
  });

  it("keys go with their device: deleting the device deletes its device, one-time and fallback keys", async () => {
    const { userId, deviceId } = await newDevice();
    await newDevice(userId, "KEPT");
    for (const id of [deviceId, "KEPT"]) {
      await app.ctx.database.transaction((tx) => store.putDeviceKeys(tx, userId, id, "{}", 1));
      await addKeys(userId, id, [otk("O")]);
      await setFallback(userId, id, otk("F"));
    }
    await app.ctx.database.transaction((tx) => app.ctx.stores.devices.delete(tx, userId, [deviceId]));
    expect((await store.queryDeviceKeys([{ userId, deviceIds: null }])).map((r) => r.deviceId)).toEqual(["KEPT"]);
    expect(await store.countOneTimeKeys(app.ctx.db, userId, deviceId)).toEqual({});
    expect(await store.fallbackKeys(userId, deviceId)).toEqual([]);
    expect(await store.countOneTimeKeys(app.ctx.db, userId, "KEPT")).toEqual({ signed_curve25519: 1 });
  });

  it("lockDevice says whether the device exists", async () => {
    const { userId, deviceId } = await newDevice();
    expect(await app.ctx.database.transaction((tx) => store.lockDevice(tx, userId, deviceId))).toBe(true);
    expect(await app.ctx.database.transaction((tx) => store.lockDevice(tx, userId, "NOPE"))).toBe(false);
  });
});
