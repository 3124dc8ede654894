import type { Clock } from "../app/clock.js";
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
}

interface Session {
  operation: string;
  userId: string | undefined;
  completed: Map<string, unknown>;
  touched: number;
}

/** Abandoned sessions are forgotten after this long without use. */
const SESSION_TTL_MS = 30 * 60 * 1000;

/**
 * Sessions live in memory: they are short, and a restart only makes a client start its auth again.
 * A session is used up once a flow completes, so one completed auth authorises one request.
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
      this.sessions.delete(sessionId);
      return session.completed;
    }
    throw this.challenge(sessionId, request);
  }

  private start(request: UiaRequest): string {
    const id = newSessionId();
    this.sessions.set(id, { operation: request.operation, userId: request.userId, completed: new Map(), touched: this.clock.now() });
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
