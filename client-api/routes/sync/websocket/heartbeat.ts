/** What the heartbeat needs from a connection. */
export interface Heartbeating {
  /** True when the peer answered (a pong, or any message) since the last ping. */
  answered: boolean;
  ping(): void;
  /** Drops a connection that stopped answering: no close handshake with a peer that is gone. */
  terminate(): void;
}

/**
 * One timer for all connections rather than one each: an idle connection then costs no timer, and the pings
 * of a server go out in one sweep. A connection that has not answered the previous ping when the next sweep
 * comes is dropped, so a dead peer is noticed within two intervals.
 */
export class HeartbeatMonitor {
  private readonly connections = new Set<Heartbeating>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs: number) {}

  add(connection: Heartbeating): void {
    this.connections.add(connection);
    if (!this.timer) {
      this.timer = setInterval(() => this.sweep(), this.intervalMs);
      this.timer.unref();
    }
  }

  remove(connection: Heartbeating): void {
    this.connections.delete(connection);
    if (this.connections.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private sweep(): void {
    for (const connection of [...this.connections]) {
      if (!connection.answered) {
        this.remove(connection);
        connection.terminate();
        continue;
      }
      connection.answered = false;
      connection.ping();
    }
  }
}
