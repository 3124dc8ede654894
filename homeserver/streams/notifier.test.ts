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

  it("announces presence only to waiters that follow it, however big their shared room", async () => {
    const notifier = new Notifier();
    const roommate = notifier.prepareWait("@b:x", ["!big"], 60_000);
    const bot = notifier.prepareWait("@bot:x", ["!big"], 60_000, new Set(["presence"]));
    const self = notifier.prepareWait("@a:x", ["!big"], 60_000, new Set(["presence"]));
    let botOutcome: string | undefined;
    let selfOutcome: string | undefined;
    void bot.promise.then((outcome) => (botOutcome = outcome));
    void self.promise.then((outcome) => (selfOutcome = outcome));

    notifier.onNew("presence", 3, { rooms: ["!big"], users: ["@a:x"] });
    expect(await roommate.promise).toBe("notified");
    await Promise.resolve();
    expect(botOutcome).toBeUndefined();
    expect(selfOutcome).toBeUndefined();

    // Both still wait, and are woken by the room's events like anyone.
    notifier.onNew("events", 4, { rooms: ["!big"] });
    expect(await bot.promise).toBe("notified");
    expect(await self.promise).toBe("notified");
    expect(notifier.waiterCount).toBe(0);
  });

  it("wakes a waiter for events only in its rooms, and for presence in its presence rooms", async () => {
    const notifier = new Notifier();
    const waiter = notifier.prepareWait("@a:x", ["!wanted"], 60_000, undefined, ["!wanted", "!other"]);
    let outcome: string | undefined;
    void waiter.promise.then((o) => (outcome = o));
    notifier.onNew("events", 1, { rooms: ["!other"] });
    notifier.onNew("typing", 2, { rooms: ["!other"] });
    await Promise.resolve();
    expect(outcome).toBeUndefined();
    notifier.onNew("presence", 3, { rooms: ["!other"], users: ["@b:x"] });
    expect(await waiter.promise).toBe("notified");
    expect(notifier.waiterCount).toBe(0);
  });
});
