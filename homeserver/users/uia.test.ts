import { describe, expect, it } from "vitest";
import { errors, MatrixError } from "../errors.js";
import { UiaChallenge, UiaService } from "./uia.js";

function setup() {
  const clock = { t: 1_000_000, now: () => clock.t };
  const uia = new UiaService(clock, {
    "m.login.dummy": async () => true,
    "m.login.password": async (auth) => {
      if (auth.password !== "right") throw errors.forbidden("Invalid password");
      return "@alice:x";
    },
    "m.login.recaptcha": async () => "human",
  });
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
