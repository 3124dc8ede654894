import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errors, MatrixError } from "../errors.js";
import { openTestDatabase, testDrivers, type TestDatabase } from "../storage/test-databases.js";
import { UiaSessionsStore } from "../storage/stores/uia-sessions-store.js";
import type { Db } from "../storage/database.js";
import { UiaChallenge, UiaService, type KeepOutcome } from "./uia.js";
import { sessionHashOf } from "./uia-session-secrets.js";
import { openTwoConnections } from "./testing/two-connections.js";

describe.each(testDrivers())("UiaService on %s", (driver) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await openTestDatabase(driver);
  });
  afterAll(() => test.dispose());

  function setup(db: Db = test.database.db) {
    const clock = { t: 1_000_000, now: () => clock.t };
    const uia = new UiaService(
      clock,
      {
        "m.login.dummy": async () => true,
        "m.login.password": async (auth) => {
          if (auth.password !== "right") throw errors.forbidden("Invalid password");
          return "@alice:x";
        },
        "m.login.recaptcha": async () => "human",
      },
      new UiaSessionsStore(db),
    );
    return { clock, uia };
  }

  async function challengeOf(promise: Promise<unknown>): Promise<UiaChallenge> {
    try {
      await promise;
    } catch (error) {
      if (error instanceof UiaChallenge) return error;
      throw error;
    }
    throw new Error("expected a UIA challenge");
  }

  const request = { operation: "op", flows: [["m.login.recaptcha", "m.login.password"], ["m.login.dummy"]] };

  describe("UiaService", () => {
    it("answers no auth with a 401 listing the flows, a new session and nothing completed, without errcode", async () => {
      const { uia } = setup();
      const challenge = await challengeOf(uia.authenticate(undefined, request));
      expect(challenge.status).toBe(401);
      const body = challenge.toJSON();
      expect(body.flows).toEqual([{ stages: ["m.login.recaptcha", "m.login.password"] }, { stages: ["m.login.dummy"] }]);
      expect(body.completed).toEqual([]);
      expect(typeof body.session).toBe("string");
      expect(body.errcode).toBeUndefined();
    });

    it("completes a multi-stage flow across requests, reporting completed stages in between", async () => {
      const { uia } = setup();
      const { session } = (await challengeOf(uia.authenticate(undefined, request))).body;
      const partial = await challengeOf(uia.authenticate({ type: "m.login.recaptcha", session }, request));
      expect(partial.body.completed).toEqual(["m.login.recaptcha"]);
      const results = await uia.authenticate({ type: "m.login.password", password: "right", session }, request);
      expect(results.get("m.login.password")).toBe("@alice:x");
      expect(results.get("m.login.recaptcha")).toBe("human");
    });

    it("puts a failed stage's errcode into the 401 and lets the client retry in the same session", async () => {
      const { uia } = setup();
      const { session } = (await challengeOf(uia.authenticate(undefined, request))).body;
      const failed = await challengeOf(uia.authenticate({ type: "m.login.password", password: "wrong", session }, request));
      expect(failed.toJSON()).toMatchObject({ errcode: "M_FORBIDDEN", error: "Invalid password", session, completed: [] });
      await expect(uia.authenticate({ type: "m.login.dummy", session }, request)).resolves.toBeInstanceOf(Map);
    });

    it("uses a session up once its flow completes: the same session cannot authorise a second request", async () => {
      const { uia } = setup();
      const { session } = (await challengeOf(uia.authenticate(undefined, request))).body;
      await uia.authenticate({ type: "m.login.dummy", session }, request);
      await expect(uia.authenticate({ type: "m.login.dummy", session }, request)).rejects.toMatchObject({ status: 400 });
    });

    it("keeps the first request's client parameters for a later request of the session; a parameter sent again replaces the kept one", async () => {
      const { uia } = setup();
      const once = { operation: "op", flows: [["m.login.recaptcha", "m.login.dummy"]] };
      const { session } = (await challengeOf(uia.authenticateOnce(undefined, { ...once, clientParams: { a: 1, b: 2 } }, async () => 0))).body;
      await challengeOf(uia.authenticateOnce({ type: "m.login.recaptcha", session }, { ...once, clientParams: { b: 3, c: undefined } }, async () => 0));
      const kept = await uia.authenticateOnce({ type: "m.login.dummy", session }, { ...once, clientParams: {} }, async (_, params) => params);
      expect(kept).toEqual({ a: 1, b: 3 });
    });

    it("authenticateOnce answers the same completed session sent again with the first result, without running again", async () => {
      const { uia } = setup();
      const { session } = (await challengeOf(uia.authenticate(undefined, request))).body;
      let runs = 0;
      const run = async () => ++runs;
      expect(await uia.authenticateOnce({ type: "m.login.dummy", session }, request, run)).toBe(1);
      expect(await uia.authenticateOnce({ type: "m.login.dummy", session }, request, run)).toBe(1);
      expect(runs).toBe(1);
      await expect(uia.authenticate({ type: "m.login.dummy", session }, { ...request, operation: "other" })).rejects.toMatchObject({ status: 403 });
    });

    it("authenticateOnce keeps a result in the run's own transaction: a process that dies after the commit leaves it for the retry", async () => {
      // A store whose writes outside a transaction fail, as when the process dies right after the run's commit.
      const store = new UiaSessionsStore(test.database.db);
      const dying = Object.assign(Object.create(store) as UiaSessionsStore, {
        storeOutcome: (...args: Parameters<UiaSessionsStore["storeOutcome"]>) =>
          args[5] === undefined ? Promise.reject(new Error("the process died after the commit")) : store.storeOutcome(...args),
      });
      const clock = { now: () => 1_000_000 };
      const uia = new UiaService(clock, { "m.login.dummy": async () => true }, dying);
      const once = { operation: "register", flows: [["m.login.dummy"]] };
      const { session } = (await challengeOf(uia.authenticateOnce(undefined, once, async () => "never"))).body;
      let runs = 0;
      const run = (value: string) => async (_completed: Map<string, unknown>, _params: Record<string, unknown>, keep: KeepOutcome<string>) => {
        runs++;
        return test.database.transaction(async (tx) => {
          await keep(tx, value);
          return value;
        });
      };
      expect(await uia.authenticateOnce({ type: "m.login.dummy", session }, once, run("@new:x"))).toBe("@new:x");
      // Another process (a fresh service over the same database) gets the kept result for the same session.
      const other = new UiaService(clock, { "m.login.dummy": async () => true }, store);
      expect(await other.authenticateOnce({ type: "m.login.dummy", session }, once, run("@again:x"))).toBe("@new:x");
      expect(runs).toBe(1);

      // A run whose transaction rolls back keeps nothing: the session may run again.
      const second = (await challengeOf(uia.authenticateOnce(undefined, once, async () => "never"))).body.session;
      await expect(
        uia.authenticateOnce({ type: "m.login.dummy", session: second }, once, async (_c, _p, keep) =>
          test.database.transaction(async (tx) => {
            await keep(tx, "@rolled-back:x");
            throw errors.userInUse();
          }),
        ),
      ).rejects.toMatchObject({ errcode: "M_USER_IN_USE" });
      expect(await other.authenticateOnce({ session: second }, once, run("@second:x"))).toBe("@second:x");
    });

    it("authenticateOnce lets a session whose run failed run again, its flow still complete", async () => {
      const { uia } = setup();
      const { session } = (await challengeOf(uia.authenticate(undefined, request))).body;
      await expect(uia.authenticateOnce({ type: "m.login.dummy", session }, request, async () => Promise.reject(errors.userInUse()))).rejects.toMatchObject({
        errcode: "M_USER_IN_USE",
      });
      expect(await uia.authenticateOnce({ session }, request, async () => "second")).toBe("second");
    });

    it("refuses a session from another operation or user with 403", async () => {
      const { uia } = setup();
      const { session } = (await challengeOf(uia.authenticate(undefined, { ...request, userId: "@a:x" }))).body;
      await expect(uia.authenticate({ type: "m.login.dummy", session }, { ...request, userId: "@b:x" })).rejects.toMatchObject({ status: 403 });
      await expect(uia.authenticate({ type: "m.login.dummy", session }, { ...request, operation: "other", userId: "@a:x" })).rejects.toMatchObject({
        status: 403,
      });
    });

    it("rejects a stage type the flows do not offer with 400", async () => {
      const { uia } = setup();
      const onlyDummy = { operation: "op", flows: [["m.login.dummy"]] };
      const error = await uia.authenticate({ type: "m.login.password", password: "right" }, onlyDummy).catch((e: MatrixError) => e);
      expect(error).toMatchObject({ status: 400 });
    });

    it("forgets sessions left unused for 30 minutes", async () => {
      const { clock, uia } = setup();
      const { session } = (await challengeOf(uia.authenticate(undefined, request))).body;
      clock.t += 31 * 60 * 1000;
      await expect(uia.authenticate({ type: "m.login.dummy", session }, request)).rejects.toMatchObject({ status: 400 });
    });

    it("rejects an auth value that is not an object with M_BAD_JSON", async () => {
      const { uia } = setup();
      await expect(uia.authenticate("password", request)).rejects.toMatchObject({ errcode: "M_BAD_JSON" });
    });
  });

  it("keeps both stages of one session sent at once: exactly one request is authorised, and the session is used up", async () => {
    const { uia } = setup();
    const twoStages = { operation: "op", flows: [["m.login.recaptcha", "m.login.dummy"]] };
    const { session } = (await challengeOf(uia.authenticate(undefined, twoStages))).body;
    const outcomes = await Promise.allSettled([
      uia.authenticate({ type: "m.login.recaptcha", session }, twoStages),
      uia.authenticate({ type: "m.login.dummy", session }, twoStages),
    ]);
    const authorised = outcomes.filter((o) => o.status === "fulfilled");
    expect(authorised).toHaveLength(1);
    expect([...(authorised[0] as PromiseFulfilledResult<Map<string, unknown>>).value.keys()].sort()).toEqual(["m.login.dummy", "m.login.recaptcha"]);
    const refused = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(UiaChallenge);
    await expect(uia.authenticate({ type: "m.login.dummy", session }, twoStages)).rejects.toMatchObject({ status: 400 });
  });

  it("authorises one of two requests that complete the same session at once, the other gets 400", async () => {
    const { uia } = setup();
    const { session } = (await challengeOf(uia.authenticate(undefined, request))).body;
    const outcomes = await Promise.allSettled([
      uia.authenticate({ type: "m.login.dummy", session }, request),
      uia.authenticate({ type: "m.login.dummy", session }, request),
    ]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    expect((outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult).reason).toMatchObject({ status: 400, errcode: "M_UNKNOWN" });
  });

  it("authenticateOnce runs once for two requests of one session sent at once, and answers both with its result", async () => {
    const { uia } = setup();
    const { session } = (await challengeOf(uia.authenticate(undefined, request))).body;
    let runs = 0;
    const run = async () => ({ run: ++runs });
    const both = await Promise.all([
      uia.authenticateOnce({ type: "m.login.dummy", session }, request, run),
      uia.authenticateOnce({ type: "m.login.dummy", session }, request, run),
    ]);
    expect(both).toEqual([{ run: 1 }, { run: 1 }]);
    expect(runs).toBe(1);
  });

  it("reports completed stages in the order the flow offers them", async () => {
    const { uia } = setup();
    const threeStages = { operation: "op", flows: [["m.login.recaptcha", "m.login.password", "m.login.dummy"]] };
    const { session } = (await challengeOf(uia.authenticate(undefined, threeStages))).body;
    await challengeOf(uia.authenticate({ type: "m.login.recaptcha", session }, threeStages));
    const partial = await challengeOf(uia.authenticate({ type: "m.login.password", password: "right", session }, threeStages));
    expect(partial.body.completed).toEqual(["m.login.recaptcha", "m.login.password"]);
  });

  it("a service over the same database (a restart) continues a session and answers a completed one again", async () => {
    const before = setup();
    const { session } = (await challengeOf(before.uia.authenticateOnce(undefined, { ...request, clientParams: { kept: "yes" } }, async () => "unused"))).body;
    await challengeOf(before.uia.authenticate({ type: "m.login.recaptcha", session }, request));
    const after = setup();
    let runs = 0;
    const result = await after.uia.authenticateOnce({ type: "m.login.password", password: "right", session }, request, async (completed, params) => {
      runs++;
      return { stages: [...completed.keys()].sort(), params };
    });
    expect(result).toEqual({ stages: ["m.login.password", "m.login.recaptcha"], params: { kept: "yes" } });
    expect(await setup().uia.authenticateOnce({ session }, request, async () => "again")).toEqual(result);
    expect(runs).toBe(1);
  });

  it("keeps no session id and no result in the clear: a copy of the table names no session and hands out no token", async () => {
    const { uia } = setup();
    const { session } = (await challengeOf(uia.authenticate(undefined, request))).body;
    await uia.authenticateOnce({ type: "m.login.dummy", session }, request, async () => ({ access_token: "mat_secret-token-value" }));
    const { rows } = await sql<{ dump: string }>`SELECT string_agg(row_to_json(u)::text, ' ') AS dump FROM uia_sessions u`.execute(test.database.db);
    expect(rows[0].dump).toContain(sessionHashOf(session));
    expect(rows[0].dump).not.toContain(session);
    expect(rows[0].dump).not.toContain("mat_secret-token-value");
    expect(await uia.earlierOutcome({ session }, request)).toEqual({ access_token: "mat_secret-token-value" });
  });

  it("deletes sessions that expired from the database once a new session starts", async () => {
    const { clock, uia } = setup();
    const { session } = (await challengeOf(uia.authenticate(undefined, request))).body;
    const stored = async () => {
      const { rows } = await sql<{ n: number | string }>`SELECT count(*) AS n FROM uia_sessions WHERE session_hash = ${sessionHashOf(session)}`.execute(test.database.db);
      return Number(rows[0].n);
    };
    expect(await stored()).toBe(1);
    clock.t += 31 * 60 * 1000;
    await challengeOf(uia.authenticate(undefined, request));
    expect(await stored()).toBe(0);
  });

  describe("two processes over one database", () => {
    let connections: Awaited<ReturnType<typeof openTwoConnections>>;
    beforeAll(async () => {
      connections = await openTwoConnections(driver);
    });
    afterAll(() => connections.dispose());

    it("a session started on one process is completed on the other, which keeps the first request's parameters", async () => {
      const [one, two] = [setup(connections.first.db), setup(connections.second.db)];
      const once = { operation: "op", flows: [["m.login.recaptcha", "m.login.dummy"]] };
      const { session } = (await challengeOf(one.uia.authenticateOnce(undefined, { ...once, clientParams: { a: 1 } }, async () => 0))).body;
      const partial = await challengeOf(two.uia.authenticateOnce({ type: "m.login.recaptcha", session }, { ...once, clientParams: { b: 2 } }, async () => 0));
      expect(partial.body.completed).toEqual(["m.login.recaptcha"]);
      const kept = await one.uia.authenticateOnce({ type: "m.login.dummy", session }, { ...once, clientParams: {} }, async (_, params) => params);
      expect(kept).toEqual({ a: 1, b: 2 });
      expect(await two.uia.authenticateOnce({ type: "m.login.dummy", session }, once, async () => "ran again")).toEqual({ a: 1, b: 2 });
    });

    it("runs authenticateOnce once when both processes complete one session at once, and both answer its result", async () => {
      const [one, two] = [setup(connections.first.db), setup(connections.second.db)];
      const { session } = (await challengeOf(one.uia.authenticate(undefined, request))).body;
      let runs = 0;
      const run = async () => {
        runs++;
        // Long enough that the other process's request arrives while this one runs.
        await new Promise((resolve) => setTimeout(resolve, 100));
        return { user_id: "@new:x", run: runs };
      };
      const both = await Promise.all([
        one.uia.authenticateOnce({ type: "m.login.dummy", session }, request, run),
        two.uia.authenticateOnce({ type: "m.login.dummy", session }, request, run),
      ]);
      expect(runs).toBe(1);
      expect(both).toEqual([{ user_id: "@new:x", run: 1 }, { user_id: "@new:x", run: 1 }]);
    });

    it("lets the other process run a session's operation again after it failed on the first", async () => {
      const [one, two] = [setup(connections.first.db), setup(connections.second.db)];
      const { session } = (await challengeOf(one.uia.authenticate(undefined, request))).body;
      await expect(one.uia.authenticateOnce({ type: "m.login.dummy", session }, request, async () => Promise.reject(errors.userInUse()))).rejects.toMatchObject({
        errcode: "M_USER_IN_USE",
      });
      expect(await two.uia.authenticateOnce({ session }, request, async () => "second")).toBe("second");
    });
  });
});
