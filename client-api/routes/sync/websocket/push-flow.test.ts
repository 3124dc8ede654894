import { describe, expect, it } from "vitest";
import { PushFlow } from "./push-flow.js";

describe("when the sync socket may build the next response", () => {
  const settled = async (promise: Promise<void>) => {
    let done = false;
    void promise.then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    return done;
  };

  it("waits for an ack once max_unacknowledged responses are out, and acks are cumulative", async () => {
    const flow = new PushFlow({ bufferedAmount: 0 }, { maxBufferedBytes: 100, maxUnacknowledged: 2 });
    flow.pushed("s1");
    expect(await settled(flow.ready())).toBe(true);
    flow.pushed("s2");
    const ready = flow.ready();
    expect(await settled(ready)).toBe(false);
    expect(flow.acknowledge("s9")).toBe(false);
    expect(flow.acknowledge("s2")).toBe(true);
    expect(await settled(ready)).toBe(true);
    expect(flow.awaitingAck).toBe(0);
    expect(flow.acknowledge("s1")).toBe(false);
  });

  it("waits while more than max_buffered_bytes are unwritten, and rechecks when a send is written", async () => {
    const socket = { bufferedAmount: 500 };
    const flow = new PushFlow(socket, { maxBufferedBytes: 100, maxUnacknowledged: 0 });
    const ready = flow.ready();
    flow.written();
    expect(await settled(ready)).toBe(false);
    socket.bufferedAmount = 100;
    flow.written();
    expect(await settled(ready)).toBe(true);
  });

  it("lets a stopped connection's loop run on to its end", async () => {
    const flow = new PushFlow({ bufferedAmount: 1_000 }, { maxBufferedBytes: 100, maxUnacknowledged: 1 });
    const ready = flow.ready();
    flow.stop();
    expect(await settled(ready)).toBe(true);
  });

  it("remembers a bounded number of tokens when there is no ack window", () => {
    const flow = new PushFlow({ bufferedAmount: 0 }, { maxBufferedBytes: 100, maxUnacknowledged: 0 });
    for (let i = 0; i < 1_000; i++) flow.pushed(`s${i}`);
    expect(flow.awaitingAck).toBe(256);
    expect(flow.acknowledge("s999")).toBe(true);
  });
});
