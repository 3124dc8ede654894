import { setTimeout as delay } from "node:timers/promises";
import type { Clock } from "../core/clock.js";
import type { Tx } from "../storage/database.js";
import { errors, MatrixError } from "../errors.js";
import type { StoredUiaSession, UiaSessionsStore } from "../storage/stores/uia-sessions-store.js";
import { newSessionId } from "./secrets.js";
import { openOutcome, sealOutcome, sessionHashOf } from "./uia-session-secrets.js";

/**
 * The 401 of User-Interactive Authentication. Its body is `{flows, params, session, completed}`; after a
 * failed stage it also carries the stage's `errcode` and `error`. The first challenge has no errcode, since
 * clients (matrix-js-sdk's InteractiveAuth) show an errcode to the user as a failure.
 */
export class UiaChallenge extends MatrixError {
  constructor(
    readonly body: { flows: Array<{ stages: string[] }>; params: Record<string, object>; session: string; completed: string[] },
    readonly failure?: MatrixError,
  ) {
    super(failure?.errcode ?? "M_UNAUTHORIZED", failure?.message ?? "Additional authentication required", 401, body);
  }

  override toJSON(): Record<string, unknown> {
    return this.failure ? { errcode: this.failure.errcode, error: this.failure.message, ...this.body } : { ...this.body };
  }
}

/** Checks one stage's auth dict; throws a MatrixError (e.g. M_FORBIDDEN) when the stage fails. */
export type StageChecker = (auth: Record<string, unknown>, subject: { userId?: string }) => Promise<unknown>;

export interface UiaRequest {
  /**
   * What the session authorises. A session started for one operation (or one user) cannot complete
   * another, so a client cannot authenticate a harmless request and then swap in a different one.
   */
  operation: string;
  userId?: string;
  flows: string[][];
  params?: Record<string, object>;
  /**
   * The request's own parameters (its body without `auth`). The session keeps them, so that a later
   * request of the same session need not repeat them; a parameter it does send replaces the kept one.
   */
  clientParams?: Record<string, unknown>;
}

/** Abandoned sessions are forgotten after this long without use. */
const SESSION_TTL_MS = 30 * 60 * 1000;
/** A claim on a session's operation older than this belongs to a process that died while running it. */
const CLAIM_STALE_MS = 60 * 1000;
/**
 * A request whose session's operation runs in another process waits for its result this often, this many
 * times (about 10 s), then asks the client to retry: far longer than a registration takes.
 */
const OUTCOME_POLL_MS = 50;
const OUTCOME_POLLS = 200;

/**
 * Keeps the operation's result with the session inside the operation's own transaction: a process that dies
 * after the commit leaves the result behind for the session's retry, not a claim on an operation that ran.
 */
export type KeepOutcome<T> = (tx: Tx, result: T) => Promise<void>;

type OnceRun<T> = (completed: Map<string, unknown>, clientParams: Record<string, unknown>, keep: KeepOutcome<T>) => Promise<T>;

type SessionStore = Pick<UiaSessionsStore, "insert" | "find" | "touch" | "completeStage" | "take" | "claimOutcome" | "storeOutcome" | "releaseOutcome">;

interface CompletedFlow {
  sessionId: string;
  sessionHash: string;
  session: StoredUiaSession;
  /** Whether the client sent the session id (else it never learnt it and cannot send it again). */
  named: boolean;
}

/**
 * Sessions live in the database, so that any process over it can continue a session another started, and a
 * restart does not lose one mid-registration. A session is used up once a flow completes, so one completed
 * auth authorises one request; only authenticateOnce keeps a completed session, to answer it again with the
 * same result.
 */
export class UiaService {
  /** The operations (authenticateOnce) this process is running, by session: a request of the same session shares one. */
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(
    private readonly clock: Clock,
    private readonly checkers: Readonly<Record<string, StageChecker>>,
    private readonly sessions: SessionStore,
  ) {}

  /**
   * Resolves with each completed stage's result once a whole flow is done; otherwise throws the 401
   * challenge (with the failed stage's error when one failed).
   */
  async authenticate(auth: unknown, request: UiaRequest): Promise<Map<string, unknown>> {
    const flow = await this.completeFlow(auth, request);
    // Of two requests completing one session at once, only the one that deletes it is authorised.
    const taken = await this.sessions.take(flow.sessionHash, this.clock.now());
    if (!taken) throw unknownSession(flow.sessionId);
    return new Map(Object.entries(taken.completed));
  }

  /**
   * For an operation that must not happen twice (registration): once a flow completes, runs `run` with the
   * completed stages and the parameters the session kept, and keeps its result (which must be JSON), so that
   * the same session sent again (a retry whose response was lost), to this process or another, gets that
   * result instead of an error, as in Synapse. A failed run leaves the flow completed, so the client may
   * correct its request in the same session.
   */
  async authenticateOnce<T>(auth: unknown, request: UiaRequest, run: OnceRun<T>): Promise<T> {
    const earlier = await this.findOutcome<T>(auth, request);
    if (earlier) return earlier.value;
    const flow = await this.completeFlow(auth, request);
    if (!flow.named) {
      const taken = await this.sessions.take(flow.sessionHash, this.clock.now());
      if (!taken) throw unknownSession(flow.sessionId);
      // The client never learnt this session's id, so it cannot send it again: nothing to keep.
      return run(new Map(Object.entries(taken.completed)), taken.clientParams, async () => {});
    }
    return this.runOnce(flow.sessionId, flow.sessionHash, run);
  }

  /** The result authenticateOnce already has for the session `auth` names, if that session completed. */
  async earlierOutcome<T>(auth: unknown, request: UiaRequest): Promise<T | undefined> {
    return (await this.findOutcome<T>(auth, request))?.value;
  }

  private async findOutcome<T>(auth: unknown, request: UiaRequest): Promise<{ value: T } | undefined> {
    const sessionId = (auth as { session?: unknown } | null | undefined)?.session;
    if (typeof sessionId !== "string") return undefined;
    const sessionHash = sessionHashOf(sessionId);
    for (let polls = 0; ; polls++) {
      const now = this.clock.now();
      const session = await this.sessions.find(sessionHash, now);
      if (!session || session.operation !== request.operation || session.userId !== request.userId) return undefined;
      const here = this.running.get(sessionHash);
      if (here) return { value: (await here) as T };
      if (session.outcome !== undefined) {
        await this.sessions.touch(sessionHash, now, now + SESSION_TTL_MS);
        return { value: openOutcome(sessionId, session.outcome) as T };
      }
      const runningElsewhere = session.outcomeClaim !== undefined && session.outcomeClaimedTs! >= now - CLAIM_STALE_MS;
      if (!runningElsewhere) return undefined;
      if (polls >= OUTCOME_POLLS) throw errors.limitExceeded(1000);
      await delay(OUTCOME_POLL_MS);
    }
  }

  /**
   * Runs the operation of a completed session once across every process: the request that claims the session
   * in the database runs it; any other request of the session waits for the result.
   */
  private async runOnce<T>(sessionId: string, sessionHash: string, run: OnceRun<T>): Promise<T> {
    for (let polls = 0; ; polls++) {
      const here = this.running.get(sessionHash);
      if (here) return here as Promise<T>;
      const claim = newSessionId();
      const now = this.clock.now();
      const claimed = await this.sessions.claimOutcome(sessionHash, claim, now, now - CLAIM_STALE_MS);
      if (claimed) return this.runClaimed(sessionId, sessionHash, claim, claimed, run);
      const session = await this.sessions.find(sessionHash, this.clock.now());
      if (!session) throw unknownSession(sessionId);
      if (session.outcome !== undefined) return openOutcome(sessionId, session.outcome) as T;
      if (polls >= OUTCOME_POLLS) throw errors.limitExceeded(1000);
      await delay(OUTCOME_POLL_MS);
    }
  }

  private runClaimed<T>(sessionId: string, sessionHash: string, claim: string, session: StoredUiaSession, run: OnceRun<T>): Promise<T> {
    const outcome = (async () => {
      let result: T;
      // Set once the run has kept its result in its transaction (whose commit the run's return follows).
      let kept = false;
      const keep: KeepOutcome<T> = async (tx, value) => {
        const now = this.clock.now();
        await this.sessions.storeOutcome(sessionHash, claim, sealOutcome(sessionId, value), now, now + SESSION_TTL_MS, tx);
        kept = true;
      };
      try {
        result = await run(new Map(Object.entries(session.completed)), session.clientParams, keep);
      } catch (error) {
        // The run's own error is what the client must see; a claim left behind goes stale on its own.
        await this.sessions.releaseOutcome(sessionHash, claim).catch(() => undefined);
        throw error;
      }
      if (!kept) {
        const now = this.clock.now();
        await this.sessions.storeOutcome(sessionHash, claim, sealOutcome(sessionId, result), now, now + SESSION_TTL_MS);
      }
      return result;
    })().finally(() => this.running.delete(sessionHash));
    this.running.set(sessionHash, outcome);
    return outcome;
  }

  /** Checks the stage `auth` carries; resolves once a whole flow is complete, else throws the challenge. */
  private async completeFlow(auth: unknown, request: UiaRequest): Promise<CompletedFlow> {
    if (auth === undefined || auth === null) throw this.challenge(await this.start(request), request, {});
    if (typeof auth !== "object" || Array.isArray(auth)) throw errors.badJson("auth must be an object");
    const dict = auth as Record<string, unknown>;
    if (dict.session !== undefined && typeof dict.session !== "string") throw errors.badJson("auth.session must be a string");
    if (dict.type !== undefined && typeof dict.type !== "string") throw errors.badJson("auth.type must be a string");

    const named = dict.session !== undefined;
    const sessionId = (dict.session as string | undefined) ?? (await this.start(request));
    const sessionHash = sessionHashOf(sessionId);
    const found = await this.sessions.find(sessionHash, this.clock.now());
    if (!found) throw unknownSession(sessionId);
    if (found.operation !== request.operation || found.userId !== request.userId) {
      throw errors.forbidden("Requested operation has changed during the UI authentication session.");
    }
    let session = found;
    if (named) {
      const now = this.clock.now();
      session = (await this.sessions.touch(sessionHash, now, now + SESSION_TTL_MS, definedParams(request.clientParams))) ?? throwUnknown(sessionId);
    }

    const type = dict.type as string | undefined;
    if (type !== undefined) {
      const checker = this.checkers[type];
      if (!checker || !request.flows.some((flow) => flow.includes(type))) {
        throw errors.unknown(`Unknown authentication type ${type}`);
      }
      let result: unknown;
      try {
        result = await checker(dict, { userId: request.userId });
      } catch (error) {
        if (error instanceof MatrixError && !(error instanceof UiaChallenge)) throw this.challenge(sessionId, request, session.completed, error);
        throw error;
      }
      // One statement adds the stage to whatever the stored session holds by then: a stage another request
      // completed meanwhile is kept, and this request sees it.
      const now = this.clock.now();
      session = (await this.sessions.completeStage(sessionHash, type, result, now, now + SESSION_TTL_MS)) ?? throwUnknown(sessionId);
    }

    const completed = session.completed;
    if (request.flows.some((flow) => flow.every((stage) => Object.hasOwn(completed, stage)))) {
      return { sessionId, sessionHash, session, named };
    }
    throw this.challenge(sessionId, request, completed);
  }

  private async start(request: UiaRequest): Promise<string> {
    const id = newSessionId();
    const now = this.clock.now();
    await this.sessions.insert({
      sessionHash: sessionHashOf(id),
      operation: request.operation,
      userId: request.userId,
      clientParams: definedParams(request.clientParams),
      now,
      expiresTs: now + SESSION_TTL_MS,
    });
    return id;
  }

  private challenge(sessionId: string, request: UiaRequest, completed: Record<string, unknown>, failure?: MatrixError): UiaChallenge {
    return new UiaChallenge(
      {
        flows: request.flows.map((stages) => ({ stages })),
        params: request.params ?? {},
        session: sessionId,
        completed: completedStages(request.flows, completed),
      },
      failure,
    );
  }
}

const unknownSession = (sessionId: string) => errors.unknown(`Unknown session ID: ${sessionId}`);

function throwUnknown(sessionId: string): never {
  throw unknownSession(sessionId);
}

/**
 * The completed stages in the order the flows offer them (the order clients complete them in); the stored
 * session is a JSON object, whose key order the database does not keep.
 */
function completedStages(flows: string[][], completed: Record<string, unknown>): string[] {
  const offered = [...new Set(flows.flat())];
  const others = Object.keys(completed).filter((stage) => !offered.includes(stage));
  return [...offered.filter((stage) => Object.hasOwn(completed, stage)), ...others];
}

/** A parameter the request leaves out (undefined) does not replace the one the session kept. */
function definedParams(params: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params ?? {}).filter(([, value]) => value !== undefined));
}
