/**
 * A clock tests move by hand (werift style): nothing sleeps, time is whatever the test
 * says. Pure objects take `clock.now` as their `now` argument.
 */
export class FakeClock {
  constructor(private current = 0) {}

  get now(): number {
    return this.current;
  }

  /** Moves forward by `ms` and returns the new time. */
  advance(ms: number): number {
    if (ms < 0) throw new Error(`FakeClock.advance: negative step ${ms}`);
    this.current += ms;
    return this.current;
  }

  /** Moves to `at`; time never runs backwards. */
  set(at: number): void {
    if (at < this.current) throw new Error(`FakeClock.set: ${at} is before now (${this.current})`);
    this.current = at;
  }
}
