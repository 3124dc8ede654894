import { describe, expect, it } from "vitest";
import { holdUntilSettled } from "./settling-promises.js";

describe("holdUntilSettled", () => {
  it("keeps the work under its key until it settles, whether it resolves or rejects, and never rejects itself", async () => {
    const map = new Map<string, Promise<void>>();
    let fail!: (error: Error) => void;
    const failing = new Promise<void>((_resolve, reject) => (fail = reject));
    const held = holdUntilSettled(map, "a", failing);
    expect(map.get("a")).toBe(held);
    fail(new Error("boom"));
    await expect(held).resolves.toBeUndefined();
    await failing.catch(() => undefined);
    await Promise.resolve();
    expect(map.has("a")).toBe(false);
    await holdUntilSettled(map, "b", Promise.resolve(42));
    await Promise.resolve();
    expect(map.has("b")).toBe(false);
  });

  it("leaves the key alone when newer work took it before the older settled", async () => {
    const map = new Map<string, Promise<void>>();
    let finishOld!: () => void;
    const older = holdUntilSettled(map, "k", new Promise<void>((resolve) => (finishOld = resolve)));
    const newer = holdUntilSettled(map, "k", new Promise<void>(() => undefined));
    finishOld();
    await older;
    await Promise.resolve();
    expect(map.get("k")).toBe(newer);
  });
});
