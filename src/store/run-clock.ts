// Deadlines counted in this process's run time, not the wall clock's.
import { nowMs } from '../clock.js';

const TICK_MS = 100;

/**
 * Counts only time in which this process ran: on a machine starved of CPU (two
 * hundred helpers at once) a late tick is our stall, not the keychain's, and an
 * answer that arrived meanwhile is read (in the poll phase) before a deadline fires.
 */
export class RunClock {
  private spent = 0;
  private last = nowMs();
  private readonly waiters = new Set<{ readonly at: number; readonly resolve: () => void }>();
  private readonly ticker: NodeJS.Timeout;

  constructor() {
    this.ticker = setInterval(() => {
      const now = nowMs();
      this.spent += Math.min(now - this.last, 2 * TICK_MS);
      this.last = now;
      for (const waiter of this.waiters) {
        if (waiter.at > this.spent) continue;
        this.waiters.delete(waiter);
        setImmediate(waiter.resolve);
      }
    }, TICK_MS);
    this.ticker.unref();
  }

  ranMs(): number {
    return this.spent;
  }

  /** Resolves once this process has run `ms` in all since the clock started. */
  after(ms: number): Promise<void> {
    return new Promise((resolve) => this.waiters.add({ at: ms, resolve }));
  }

  stop(): void {
    clearInterval(this.ticker);
  }
}
