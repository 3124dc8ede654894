/**
 * Limits how many sync responses are built at once. A message into a room with 500 waiting syncers wakes
 * them all in the same tick; built side by side, every build would interleave at each await and all 500
 * responses would leave at the very end. Built a few at a time, in wake-up order, the first responses leave
 * after a few builds: the same total work, with most clients served much earlier.
 */
export class BuildGate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly concurrency: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next waiter, so `running` never dips and a newcomer cannot jump the queue.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
