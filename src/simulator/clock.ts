import type { SimClock } from './types.js';

export const systemClock: SimClock = { now: () => Date.now() };

export interface ManualClock extends SimClock {
  /** Move time forward by `ms` milliseconds. */
  advance(ms: number): void;
  set(ms: number): void;
}

/** A clock that only moves when told to: for timeout tests. */
export function createManualClock(startMs: number = Date.UTC(2025, 0, 1, 12, 0, 0)): ManualClock {
  let t = startMs;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
    set: (ms: number) => {
      t = ms;
    },
  };
}
