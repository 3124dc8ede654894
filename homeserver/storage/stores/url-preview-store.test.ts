import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, testDrivers, type TestDatabase } from "../test-databases.js";
import { UrlPreviewStore } from "./url-preview-store.js";

const newUrl = () => `https://example.org/${randomBytes(5).toString("hex")}?q=1`;
const og = (title: string) => JSON.stringify({ "og:title": title });

describe.each(testDrivers())("UrlPreviewStore on %s", (driver) => {
  let test: TestDatabase;
  let store: UrlPreviewStore;
  beforeAll(async () => {
    test = await openTestDatabase(driver);
    store = new UrlPreviewStore(test.database.db);
  });
  afterAll(() => test.dispose());

  it("answers the newest preview fetched at or before ts, else the oldest after it", async () => {
    const url = newUrl();
    await store.insert(url, { og: og("first"), fetchedTs: 1000, expiresTs: 10_000 });
    await store.insert(url, { og: og("second"), fetchedTs: 2000, expiresTs: 10_000 });
    expect((await store.find(url, 1500, 1500))?.og).toBe(og("first"));
    expect((await store.find(url, 5000, 5000))?.og).toBe(og("second"));
    expect((await store.find(url, 500, 2500))).toEqual({ og: og("first"), fetchedTs: 1000, expiresTs: 10_000 });
  });

  it("never answers an expired preview, and deletes them", async () => {
    const url = newUrl();
    await store.insert(url, { og: og("old"), fetchedTs: 1000, expiresTs: 2000 });
    expect(await store.find(url, 1500, 1500)).toBeDefined();
    expect(await store.find(url, 1500, 2000)).toBeUndefined();
    await store.deleteExpired(2000);
    expect(await store.count(url)).toBe(0);
  });

  it("keeps URLs apart, however long", async () => {
    const long = `https://example.org/${"x".repeat(10_000)}`;
    const other = newUrl();
    await store.insert(long, { og: og("long"), fetchedTs: 1000, expiresTs: 5000 });
    expect((await store.find(long, 1000, 1000))?.og).toBe(og("long"));
    expect(await store.find(other, 1000, 1000)).toBeUndefined();
  });

  it("keeps the first of two fetches stored in the same millisecond", async () => {
    const url = newUrl();
    await store.insert(url, { og: og("a"), fetchedTs: 1000, expiresTs: 5000 });
    await store.insert(url, { og: og("b"), fetchedTs: 1000, expiresTs: 5000 });
    expect((await store.find(url, 1000, 1000))?.og).toBe(og("a"));
    expect(await store.count(url)).toBe(1);
  });
});
