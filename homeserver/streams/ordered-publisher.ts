/**
 * Positions on a stream are allocated by concurrent transactions and may commit out of order. Readers must
 * only see a position once every smaller position has committed or been abandoned, or a reader that saw
 * N could later miss N-1. This tracks the in-flight positions and publishes the highest safe one
 * (the model is Synapse's stream id generators).
 */
export class OrderedPublisher {
  private published: number;
  private readonly inFlight = new Set<number>();
  /**
   * The positions allocated and not yet passed by `published`, in allocation (so increasing) order from
   * `head`: the lowest one in flight is found by skipping finished ones at the front, so finishing a request's
   * thousand positions costs a thousand steps, not a scan of the others for each.
   */
  private order: number[] = [];
  private head = 0;
  private highestAllocated: number;
  private readonly listeners: Array<(position: number) => void> = [];
  private readonly whenPublished = new Map<number, () => void>();

  constructor(initial: number) {
    this.published = initial;
    this.highestAllocated = initial;
  }

  /** The highest position readers may see. */
  get current(): number {
    return this.published;
  }

  /**
   * Hands out the next position and marks it in flight in one synchronous step. Allocation happens in the
   * process rather than from a database sequence: with a sequence, a position could be taken but not yet
   * registered while a larger one finishes, and the publisher would skip past it. One process owns the
   * stream (it is initialised from the table's maximum at start).
   */
  allocate(): number {
    const position = ++this.highestAllocated;
    this.inFlight.add(position);
    this.order.push(position);
    return position;
  }

  /**
   * Marks a position committed or rolled back; either way it no longer holds readers back.
   * `published` runs once readers can see the position, which may be later if a smaller one is in flight:
   * notifying before then would wake readers who cannot yet see the change, and nobody would wake them again.
   */
  finish(position: number, published?: () => void): void {
    if (!this.inFlight.delete(position)) return;
    if (published) this.whenPublished.set(position, published);
    this.advance();
  }

  onPublish(listener: (position: number) => void): void {
    this.listeners.push(listener);
  }

  private advance(): void {
    const before = this.published;
    while (this.head < this.order.length && !this.inFlight.has(this.order[this.head])) this.head++;
    // Everything below the lowest in-flight position has committed or been abandoned.
    const target = this.head < this.order.length ? this.order[this.head] - 1 : this.highestAllocated;
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
    if (target > this.published) this.published = target;
    if (this.published === before) return;
    if (this.whenPublished.size > 0) {
      const ready = [...this.whenPublished.keys()].filter((p) => p <= this.published).sort((a, b) => a - b);
      for (const p of ready) {
        const callback = this.whenPublished.get(p)!;
        this.whenPublished.delete(p);
        callback();
      }
    }
    for (const listener of this.listeners) listener(this.published);
  }
}
