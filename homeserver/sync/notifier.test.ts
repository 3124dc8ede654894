import { describe, expect, it } from "vitest";
import { Notifier } from "./notifier.js";

describe("the notifier", () => {
  it("does not wake a waiter for a stream it ignores, and still wakes it for the others", async () => {
    const notifier = new Notifier();
    const ignoring = notifier.prepareWait("@a:x", ["!room"], 60_000, new Set(["presence", "typing"]));
    const plain = notifier.prepareWait("@a:x", ["!room"], 60_000);
    let ignoringOutcome: string | undefined;
    void ignoring.promise.then((outcome) => (ignoringOutcome = outcome));

    notifier.onNew("presence", 5, { rooms: ["!room"], users: ["@a:x"] });
    notifier.onNew("typing", 7, { rooms: ["!room"] });
    expect(await plain.promise).toBe("notified");
    await Promise.resolve();
    expect(ignoringOutcome).toBeUndefined();

    notifier.onNew("events", 9, { rooms: ["!room"] });
    expect(await ignoring.promise).toBe("notified");
    expect(notifier.waiterCount).toBe(0);
  });
});
