import { WebSocket, type RawData } from "ws";
import type { FastifyInstance } from "fastify";
import { errors, isMatrixError, type MatrixError } from "../../../../homeserver/errors.js";
import type { ClientApiLogger, ClientApiServices } from "../../../client-api-services.js";
import type { SyncResponse } from "../../../../homeserver/sync/index.js";
import { hasContent } from "../../../../homeserver/sync/sync-builder.js";
import type { Filter } from "../../../../homeserver/core/filters.js";
import type { Requester, TokenRechecker } from "../../../../homeserver/users/requester.js";
import type {
  SyncWsClientMessage,
  SyncWsRequestMessage,
  SyncWsServerMessage,
  SyncWsSyncMessage,
} from "../../../../schemas/client/sync/sync-websocket.js";
import { parseClientMessage } from "./client-messages.js";
import { CLOSE } from "./close-codes.js";
import type { Heartbeating, HeartbeatMonitor } from "./heartbeat.js";
import { PushFlow } from "./push-flow.js";
import { answerRequest } from "./socket-requests.js";
import { releaseIdleDeflate, releaseIdleInflate } from "./zlib-release.js";
import type { SyncWebSocketSettings } from "./sync-websocket-settings.js";

/** What every connection shares; built once per server. */
export interface SyncSocketServices {
  http: FastifyInstance;
  sync: ClientApiServices["sync"];
  auth: TokenRechecker;
  heartbeat: HeartbeatMonitor;
  config: SyncWebSocketSettings;
  /** config.sync.max_timeout_ms: how long one build waits for news before it looks again. */
  maxWaitMs: number;
  logger: ClientApiLogger;
  firstMessageTimeoutMs: number;
  /**
   * Each pushed response as sent, by response: the members of a room woken by one message are mostly handed
   * the same response object (SharedResponses), so it is serialised once for all of them.
   */
  pushes: WeakMap<SyncResponse, string>;
}

/** With sync.max_timeout_ms at 0 the service cannot wait, so the socket looks again this often instead of spinning. */
const POLL_WITHOUT_WAIT_MS = 1_000;

/**
 * One client's sync stream. After the `sync` message it loops: wait until the client can take more
 * (PushFlow), long-poll SyncService from the last pushed next_batch, push what it returns. The server only
 * ever builds from a token the client was given, so a reconnect with the last acknowledged token gets
 * everything after it exactly once.
 */
export class SyncSocketSession implements Heartbeating {
  answered = true;
  private started = false;
  /** The client's last acknowledged token (its first since until it acks): sync deletes delivered to-device messages only up to it. */
  private acknowledged: string | undefined;
  private closed = false;
  private requestsInFlight = 0;
  private readonly stopped = new AbortController();
  private readonly flow: PushFlow;
  private firstMessageTimer: NodeJS.Timeout | undefined;
  private readonly onWritten = () => {
    releaseIdleDeflate(this.socket);
    this.flow.written();
  };

  constructor(
    private readonly socket: WebSocket,
    private requester: Requester,
    private readonly connection: { accessToken: string; remoteAddress: string },
    private readonly services: SyncSocketServices,
  ) {
    this.flow = new PushFlow(socket, {
      maxBufferedBytes: services.config.max_buffered_bytes,
      maxUnacknowledged: services.config.max_unacknowledged,
    });
    socket.on("message", (data, isBinary) => this.onMessage(data, isBinary));
    socket.on("pong", () => (this.answered = true));
    socket.once("close", () => this.onClose());
    services.heartbeat.add(this);
    this.firstMessageTimer = setTimeout(
      () => this.fail(errors.unknown("No sync message was received after the upgrade"), CLOSE.firstMessageTimeout),
      services.firstMessageTimeoutMs,
    );
    this.firstMessageTimer.unref();
  }

  ping(): void {
    this.socket.ping();
  }

  terminate(): void {
    this.socket.terminate();
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    this.answered = true;
    releaseIdleInflate(this.socket);
    const parsed = parseClientMessage(data, isBinary);
    if (!parsed.ok) {
      if (!this.started) this.fail(parsed.error, CLOSE.badRequest, parsed.type);
      else this.sendError(parsed.error, parsed.type);
      return;
    }
    const message = parsed.message;
    if (!this.started && message.type !== "sync" && message.type !== "ping") {
      this.fail(errors.badJson("The first message must be a sync message"), CLOSE.badRequest, message.type);
      return;
    }
    this.dispatch(message);
  }

  private dispatch(message: SyncWsClientMessage): void {
    switch (message.type) {
      case "sync":
        if (this.started) return this.sendError(errors.badJson("The sync stream has already started; reconnect to change it"), "sync");
        this.started = true;
        clearTimeout(this.firstMessageTimer);
        void this.run(message);
        return;
      case "ack":
        if (!this.flow.acknowledge(message.next_batch)) {
          this.sendError(errors.invalidParam("next_batch is not a token pushed on this connection and still awaiting an ack"), "ack");
          return;
        }
        this.acknowledged = message.next_batch;
        return;
      case "ping":
        return this.send(message.id === undefined ? { type: "pong" } : { type: "pong", id: message.id });
      case "request":
        void this.request(message);
        return;
    }
  }

  private async run(first: SyncWsSyncMessage): Promise<void> {
    const { sync, auth, maxWaitMs } = this.services;
    try {
      const filter = await this.filterOf(first.filter);
      let since = first.since;
      // Nothing acknowledged yet on a stream that starts from scratch ("s0": every position 0).
      this.acknowledged = first.since ?? "s0";
      let fullState = first.full_state === true;
      // An initial or full_state sync is answered even when empty: it is the client's first token.
      let mustPush = since === undefined || fullState;
      while (!this.closed) {
        await this.flow.ready();
        if (this.closed) return;
        const response = await sync.sync(this.requester, {
          since,
          // Builds go on from the last pushed response; what is deleted once delivered waits for the client's ack,
          // so a reconnect with its last acknowledged token gets it again.
          acknowledged: this.acknowledged,
          timeoutMs: maxWaitMs,
          fullState,
          useStateAfter: first.use_state_after,
          filter,
          setPresence: first.set_presence,
          signal: this.stopped.signal,
        });
        if (this.closed) return;
        // A long-poll authenticates every request; the socket checks before every push, so a logout or an
        // expired token ends the stream.
        this.requester = await auth.authenticateHash(this.requester.tokenHash);
        fullState = false;
        // An empty response covered (since, next_batch] and found nothing for this client, so moving on is safe.
        since = response.next_batch;
        if (!mustPush && !hasContent(response)) {
          if (maxWaitMs === 0) await sleep(POLL_WITHOUT_WAIT_MS, this.stopped.signal);
          continue;
        }
        mustPush = false;
        this.flow.pushed(response.next_batch);
        this.push(response);
        // One commit wakes every session of a room at once: getting ready for the next one (token, filter,
        // presence, a new wait) can come after the others have pushed theirs.
        await new Promise(setImmediate);
      }
    } catch (error) {
      if (this.closed) return;
      if (isMatrixError(error)) {
        this.fail(error, error.errcode === "M_UNKNOWN_TOKEN" ? CLOSE.unknownToken : CLOSE.badRequest, "sync");
        return;
      }
      this.services.logger.error({ err: error, userId: this.requester.userId }, "sync websocket failed");
      this.fail(errors.unknown("Internal server error", 500), CLOSE.internalError, "sync");
    }
  }

  /**
   * Checks the filter once, before the stream starts, so a bad one ends it with /sync's errcode. It is then
   * passed as text (an id, or the object as JSON) because the service caches resolved filters by their text.
   */
  private async filterOf(filter: string | Filter | undefined): Promise<string | undefined> {
    const text = filter === undefined || typeof filter === "string" ? filter : JSON.stringify(filter);
    await this.services.sync.resolveFilter(this.requester.userId, text);
    return text;
  }

  private async request(message: SyncWsRequestMessage): Promise<void> {
    const limit = this.services.config.max_requests_in_flight;
    if (limit === 0) return this.sendResponseError(message.id, errors.unrecognized("Requests over the sync socket are disabled on this server", 400));
    if (this.requestsInFlight >= limit) return this.sendResponseError(message.id, errors.limitExceeded(1000));
    this.requestsInFlight++;
    try {
      this.send(await answerRequest(this.services.http, this.connection, message));
    } catch (error) {
      this.services.logger.error({ err: error, userId: this.requester.userId }, "request over the sync websocket failed");
      this.sendResponseError(message.id, errors.unknown("Internal server error", 500));
    } finally {
      this.requestsInFlight--;
    }
  }

  private sendResponseError(id: string, error: MatrixError): void {
    this.send({ type: "response", id, status: error.status, body: error.toJSON() });
  }

  private sendError(error: MatrixError, requestType?: string): void {
    this.send({ type: "error", ...error.toJSON(), ...(requestType ? { request_type: requestType } : {}) } as SyncWsServerMessage);
  }

  /** Sends the error, then closes: the close frame follows the error message on the wire. */
  private fail(error: MatrixError, code: number, requestType?: string): void {
    if (this.closed) return;
    this.send({ type: "error", ...error.toJSON(), ...(requestType ? { request_type: requestType } : {}), fatal: true } as SyncWsServerMessage);
    this.socket.close(code, error.errcode);
    this.onClose();
  }

  private send(message: SyncWsServerMessage): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    this.socket.send(JSON.stringify(message), this.onWritten);
  }

  private push(response: SyncResponse): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    const { pushes } = this.services;
    let text = pushes.get(response);
    if (text === undefined) pushes.set(response, (text = JSON.stringify({ type: "sync", response } satisfies SyncWsServerMessage)));
    this.socket.send(text, this.onWritten);
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.firstMessageTimer);
    this.stopped.abort();
    this.flow.stop();
    this.services.heartbeat.remove(this);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
