import type { BenchLayout } from "./bench-layout.js";
import type { SyncResponse } from "./matrix-http.js";
import { Samples } from "./stats.js";

/** bench_seq of the unmeasured message that proves every client is listening before timing starts. */
export const WARMUP_SEQ = -1;

/**
 * Tallies one latency run, whatever the transport: when each message's send started, which (message, client)
 * pairs arrived and how long after, duplicates, and the warm-up. A message is expected by the clients of the
 * room it was sent to, once its send was acknowledged.
 */
export class DeliveryTracker {
  readonly sendStart: Float64Array;
  readonly latencies = new Samples();
  readonly ackTimes = new Samples();
  expectedDeliveries = 0;
  duplicates = 0;
  limitedTimelines = 0;
  syncResponses = 0;
  lastDeliveryAt = 0;
  warmedUpCount = 0;
  private readonly delivered: Uint8Array;
  private readonly warmedUp: Uint8Array;
  private readonly clientsPerRoom: number[];

  constructor(
    readonly layout: BenchLayout,
    readonly messages: number,
  ) {
    this.sendStart = new Float64Array(messages).fill(Number.NaN);
    this.delivered = new Uint8Array(messages * layout.clientRoom.length);
    this.warmedUp = new Uint8Array(layout.clientRoom.length);
    this.clientsPerRoom = layout.rooms.map(() => 0);
    for (const room of layout.clientRoom) this.clientsPerRoom[room]++;
  }

  get clients(): number {
    return this.layout.clientRoom.length;
  }

  roomOf(seq: number): string {
    return this.layout.rooms[seq % this.layout.rooms.length];
  }

  acknowledged(seq: number): void {
    this.ackTimes.push(performance.now() - this.sendStart[seq]);
    this.expectedDeliveries += this.clientsPerRoom[seq % this.layout.rooms.length];
  }

  /** A send that failed: not expected, so a late delivery of it is not counted either. */
  failed(seq: number): void {
    this.sendStart[seq] = Number.NaN;
  }

  get allWarmedUp(): boolean {
    return this.warmedUpCount === this.clients;
  }

  get allDelivered(): boolean {
    return this.latencies.length >= this.expectedDeliveries;
  }

  /** The counts of the initial syncs are not part of the run. */
  resetResponseCounts(): void {
    this.syncResponses = 0;
    this.limitedTimelines = 0;
  }

  handle(clientIndex: number, response: SyncResponse, arrivedAt: number): void {
    this.syncResponses++;
    const timeline = response.rooms?.join?.[this.layout.rooms[this.layout.clientRoom[clientIndex]]]?.timeline;
    if (!timeline?.events) return;
    if (timeline.limited) this.limitedTimelines++;
    for (const event of timeline.events) {
      const seq = event.content?.bench_seq;
      if (typeof seq !== "number") continue;
      if (seq === WARMUP_SEQ) {
        if (!this.warmedUp[clientIndex]) {
          this.warmedUp[clientIndex] = 1;
          this.warmedUpCount++;
        }
        continue;
      }
      if (seq < 0 || seq >= this.messages || Number.isNaN(this.sendStart[seq])) continue;
      const slot = seq * this.clients + clientIndex;
      if (this.delivered[slot]) {
        this.duplicates++;
        continue;
      }
      this.delivered[slot] = 1;
      this.latencies.push(arrivedAt - this.sendStart[seq]);
      this.lastDeliveryAt = arrivedAt;
    }
  }
}
