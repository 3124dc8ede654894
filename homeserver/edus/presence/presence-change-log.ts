const KEEP = 10_000;

/**
 * Which users' presence changed at which position, newest last, so an incremental sync finds the changes in
 * (since, to] without looking at every user. Only the recent changes are kept; a sync from before them is
 * told so and looks at the users themselves.
 */
export class PresenceChangeLog {
  private positions: number[] = [];
  private users: string[] = [];
  /** Every change at or below this position may have been dropped. */
  private floor = 0;

  constructor(private readonly keep = KEEP) {}

  /** Positions must be added in increasing order (they are allocated and added in one synchronous step). */
  add(position: number, userId: string): void {
    this.positions.push(position);
    this.users.push(userId);
    if (this.positions.length > this.keep * 2) {
      const drop = this.positions.length - this.keep;
      this.floor = this.positions[drop - 1];
      this.positions = this.positions.slice(drop);
      this.users = this.users.slice(drop);
    }
  }

  /** The users with a change in (since, to], or undefined when the log no longer reaches back to `since`. */
  changedBetween(since: number, to: number): Set<string> | undefined {
    if (since < this.floor) return undefined;
    const changed = new Set<string>();
    for (let i = this.firstAfter(since); i < this.positions.length && this.positions[i] <= to; i++) changed.add(this.users[i]);
    return changed;
  }

  private firstAfter(position: number): number {
    let low = 0;
    let high = this.positions.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.positions[mid] <= position) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
