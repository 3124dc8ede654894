import { describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { testDrivers } from "../../app/test-app.js";
import { restartableServer } from "../../app/testing/restartable-server.js";
import { bearer, registerTestUser, type TestUser } from "../testing/http-users.js";

let txn = 0;

async function sendToDevice(http: FastifyInstance, from: TestUser, to: TestUser, n: number): Promise<void> {
  const response = await http.inject({
    method: "PUT",
    url: `/_matrix/client/v3/sendToDevice/m.test/restart-${++txn}`,
    headers: bearer(from),
    payload: { messages: { [to.userId]: { [to.deviceId]: { n } } } },
  });
  expect(response.statusCode).toBe(200);
}

async function sync(http: FastifyInstance, who: TestUser, since?: string): Promise<{ next_batch: string; numbers: number[] }> {
  const response = await http.inject({ method: "GET", url: `/_matrix/client/v3/sync${since ? `?since=${encodeURIComponent(since)}` : ""}`, headers: bearer(who) });
  expect(response.statusCode).toBe(200);
  const body = response.json() as { next_batch: string; to_device?: { events: Array<{ content: { n: number } }> } };
  return { next_batch: body.next_batch, numbers: (body.to_device?.events ?? []).map((e) => e.content.n) };
}

describe.each(testDrivers())("to-device positions across a restart on %s", (driver) => {
  it("writes the high-water mark once per block of positions, and a restart resumes above every position handed out", async () => {
    const server = await restartableServer(driver);
    try {
      const { http, ctx } = await server.start();
      const alice = await registerTestUser(http);
      const bob = await registerTestUser(http);
      const start = await sync(http, bob);
      await sendToDevice(http, alice, bob, 1);
      const mark = await ctx.stores.toDevice.highWater();
      expect(mark).toBeGreaterThan(ctx.streams.toDevice.current);
      // The next writes stay below the mark: they leave its row alone (concurrent writes would wait on it).
      await sendToDevice(http, alice, bob, 2);
      await sendToDevice(http, alice, bob, 3);
      expect(await ctx.stores.toDevice.highWater()).toBe(mark);
      const first = await sync(http, bob, start.next_batch);
      expect(first.numbers).toEqual([1, 2, 3]);
      await sendToDevice(http, alice, bob, 4);
      await server.stop();

      // After the restart: the token from before still works, and what is sent now comes after what came before.
      const again = await server.start();
      await sendToDevice(again.http, alice, bob, 5);
      expect(again.ctx.streams.toDevice.current).toBeGreaterThanOrEqual(mark);
      const second = await sync(again.http, bob, first.next_batch);
      expect(second.numbers).toEqual([4, 5]);
      expect((await sync(again.http, bob, second.next_batch)).numbers).toEqual([]);
    } finally {
      await server.dispose();
    }
  });
});
