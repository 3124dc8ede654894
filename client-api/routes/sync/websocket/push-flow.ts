export interface PushLimits {
  /** Bytes waiting to be written above which no new response is built. */
  maxBufferedBytes: number;
  /** Pushed responses not yet acknowledged above which no new response is built; 0: no limit. */
  maxUnacknowledged: number;
}

/** With no ack window the list only serves to recognise acks; keep it bounded for clients that never ack. */
const MAX_REMEMBERED_WITHOUT_WINDOW = 256;

/**
 * Decides when the server may build the next sync response for one connection. It never queues responses:
 * while the client is behind (unacknowledged responses, or bytes the socket has not written yet) the server
 * builds nothing, and once the client catches up it builds ONE response from the last pushed token to the
 * present, which covers everything in between. So a slow client costs at most the limit plus one response.
 */
export class PushFlow {
  private readonly unacknowledged: string[] = [];
  private wake: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly socket: { readonly bufferedAmount: number },
    private readonly limits: PushLimits,
  ) {}

  /** Resolves when another response may be built (at once if it may now), or when the connection stops. */
  ready(): Promise<void> {
    if (this.mayBuild()) return Promise.resolve();
    return new Promise((resolve) => (this.wake = resolve));
  }

  pushed(nextBatch: string): void {
    this.unacknowledged.push(nextBatch);
    if (this.limits.maxUnacknowledged === 0 && this.unacknowledged.length > MAX_REMEMBERED_WITHOUT_WINDOW) this.unacknowledged.shift();
  }

  /** Acks are cumulative: acking a token acknowledges every response pushed before it. False for a token not awaiting an ack. */
  acknowledge(nextBatch: string): boolean {
    const index = this.unacknowledged.lastIndexOf(nextBatch);
    if (index < 0) return false;
    this.unacknowledged.splice(0, index + 1);
    this.recheck();
    return true;
  }

  /** Call when a send has been written to the socket: the buffered amount went down. */
  written(): void {
    this.recheck();
  }

  stop(): void {
    this.stopped = true;
    this.recheck();
  }

  get awaitingAck(): number {
    return this.unacknowledged.length;
  }

  private mayBuild(): boolean {
    if (this.stopped) return true;
    const { maxUnacknowledged, maxBufferedBytes } = this.limits;
    if (maxUnacknowledged > 0 && this.unacknowledged.length >= maxUnacknowledged) return false;
    return this.socket.bufferedAmount <= maxBufferedBytes;
  }

  private recheck(): void {
    if (!this.wake || !this.mayBuild()) return;
    const wake = this.wake;
    this.wake = undefined;
    wake();
  }
}
