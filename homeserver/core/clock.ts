/** Time comes through this so tests (presence TTLs, token expiry) can use a fake clock. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
