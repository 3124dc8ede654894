import { describe, expect, it } from "vitest";
import { BuildGate } from "./build-gate.js";

describe("BuildGate", () => {
  it("runs at most `concurrency` builds at once and finishes them in the order they arrived", async () => {
    const gate = new BuildGate(2);
    let running = 0;
    let peak = 0;
    const finished: number[] = [];
    const release: Array<() => void> = [];
    const jobs = [0, 1, 2, 3, 4].map((i) =>
      gate.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => release.push(resolve));
        running--;
        finished.push(i);
      }),
    );
    for (let step = 0; step < 5; step++) {
      await new Promise((r) => setImmediate(r));
      release.shift()!();
    }
    await Promise.all(jobs);
    expect(peak).toBe(2);
    expect(finished).toEqual([0, 1, 2, 3, 4]);
  });

  it("a failing build frees its slot", async () => {
    const gate = new BuildGate(1);
    await expect(gate.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await gate.run(async () => 42)).toBe(42);
  });
});
