// Time comes in from the edge so deciders and read-model queries stay testable.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests can move. */
export class ManualClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  set(to: Date): void {
    this.current = new Date(to);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export const DAY_MS = 86_400_000;

/** Whole days from `now` until `instant`; negative once passed (-1 on the first day after). */
export const daysUntil = (instant: Date, now: Date): number =>
  Math.floor((instant.getTime() - now.getTime()) / DAY_MS);
