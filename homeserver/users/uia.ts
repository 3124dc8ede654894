import type { Clock } from "../core/clock.js";
import { errors, MatrixError } from "../errors.js";
import { newSessionId } from "./secrets.js";

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

interface Session {
  operation: string;
  userId: string | undefined;
  completed: Map<string, unknown>;
  touched: number;
  clientParams: Record<string, unknown>;
  /** What the operation made of the completed session (authenticateOnce), for the same session sent again. */
  outcome?: Promise<unknown>;
}

/** Abandoned sessions are forgotten after this long without use. */
const SESSION_TTL_MS = 30 * 60 * 1000;

/**
 * Sessions live in memory: they are short, and a restart only makes a client start its auth again.
 * A session is used up once a flow completes, so one completed auth authorises one request; only
 * authenticateOnce keeps a completed session, to answer it again with the same result.
 */
export class UiaService {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly clock: Clock,
    private readonly checkers: Readonly<Record<string, StageChecker>>,
  ) {}

  /**
   * Resolves with each completed stage's result once a whole flow is done; otherwise throws the 401
   * challenge (with the failed stage's error when one failed).
   */
  async authenticate(auth: unknown, request: UiaRequest): Promise<Map<string, unknown>> {
    const { sessionId, session } = await this.completeFlow(auth, request);
    this.sessions.delete(sessionId);
    return session.completed;
  }

  /**
   * For an operation that must not happen twice (registration): once a flow completes, runs `run` with the
   * completed stages and the parameters the session kept, and keeps its result, so that the same session
   * sent again (a retry whose response was lost) gets that result instead of an error, as in Synapse. A
   * failed run leaves the flow completed, so the client may correct its request in the same session.
   */
  async authenticateOnce<T>(
    auth: unknown,
    request: UiaRequest,
    run: (completed: Map<string, unknown>, clientParams: Record<string, unknown>) => Promise<T>,
  ): Promise<T> {
    const earlier = this.earlierOutcome<T>(auth, request);
    if (earlier) return earlier;
    const { sessionId, session, named } = await this.completeFlow(auth, request);
    // A request of the same session may have completed it while this one's stage was being checked.
    if (session.outcome) return session.outcome as Promise<T>;
    const outcome = run(session.completed, session.clientParams);
    if (!named) {
      // The client never learnt this session's id, so it cannot send it again.
      this.sessions.delete(sessionId);
      return outcome;
    }
    session.outcome = outcome;
    outcome.catch(() => {
      if (session.outcome === outcome) session.outcome = undefined;
    });
    return outcome;
  }

  /** The result authenticateOnce already has for the session `auth` names, if that session completed. */
  earlierOutcome<T>(auth: unknown, request: UiaRequest): Promise<T> | undefined {
    const sessionId = (auth as { session?: unknown } | null | undefined)?.session;
    if (typeof sessionId !== "string") return undefined;
    const session = this.sessions.get(sessionId);
    if (!session?.outcome || session.operation !== request.operation || session.userId !== request.userId) return undefined;
    session.touched = this.clock.now();
    return session.outcome as Promise<T>;
  }

  /** Checks the stage `auth` carries; resolves once a whole flow is complete, else throws the challenge. */
  private async completeFlow(auth: unknown, request: UiaRequest): Promise<{ sessionId: string; session: Session; named: boolean }> {
    this.prune();
    if (auth === undefined || auth === null) throw this.challenge(this.start(request), request);
    if (typeof auth !== "object" || Array.isArray(auth)) throw errors.badJson("auth must be an object");
    const dict = auth as Record<string, unknown>;
    if (dict.session !== undefined && typeof dict.session !== "string") throw errors.badJson("auth.session must be a string");
    if (dict.type !== undefined && typeof dict.type !== "string") throw errors.badJson("auth.type must be a string");

    const sessionId = (dict.session as string | undefined) ?? this.start(request);
    const session = this.sessions.get(sessionId);
    if (!session) throw errors.unknown(`Unknown session ID: ${sessionId}`);
    if (session.operation !== request.operation || session.userId !== request.userId) {
      throw errors.forbidden("Requested operation has changed during the UI authentication session.");
    }
    session.touched = this.clock.now();
    if (dict.session !== undefined) session.clientParams = { ...session.clientParams, ...definedParams(request.clientParams) };

    const type = dict.type as string | undefined;
    if (type !== undefined) {
      const checker = this.checkers[type];
      if (!checker || !request.flows.some((flow) => flow.includes(type))) {
        throw errors.unknown(`Unknown authentication type ${type}`);
      }
      try {
        session.completed.set(type, await checker(dict, { userId: request.userId }));
      } catch (error) {
        if (error instanceof MatrixError && !(error instanceof UiaChallenge)) throw this.challenge(sessionId, request, error);
        throw error;
      }
    }

    if (request.flows.some((flow) => flow.every((stage) => session.completed.has(stage)))) {
      return { sessionId, session, named: dict.session !== undefined };
    }
    throw this.challenge(sessionId, request);
  }

  private start(request: UiaRequest): string {
    const id = newSessionId();
    this.sessions.set(id, {
      operation: request.operation,
      userId: request.userId,
      completed: new Map(),
      touched: this.clock.now(),
      clientParams: definedParams(request.clientParams),
    });
    return id;
  }

  private challenge(sessionId: string, request: UiaRequest, failure?: MatrixError): UiaChallenge {
    const session = this.sessions.get(sessionId);
    return new UiaChallenge(
      {
        flows: request.flows.map((stages) => ({ stages })),
        params: request.params ?? {},
        session: sessionId,
        completed: session ? [...session.completed.keys()] : [],
      },
      failure,
    );
  }

  private prune(): void {
    const cutoff = this.clock.now() - SESSION_TTL_MS;
    for (const [id, session] of this.sessions) if (session.touched < cutoff) this.sessions.delete(id);
  }
}

/** A parameter the request leaves out (undefined) does not replace the one the session kept. */
function definedParams(params: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params ?? {}).filter(([, value]) => value !== undefined));
}
