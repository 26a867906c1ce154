// The clock and timers the call manager runs on (the only place they are real).
import type { Scheduler } from "@hotline/switch";

export function nodeScheduler(onError: (err: unknown) => void): Scheduler {
  return {
    now: () => Date.now(),
    after(ms, fn) {
      const t = setTimeout(() => {
        try {
          fn();
        } catch (err) {
          onError(err);
        }
      }, Math.max(0, ms));
      return () => clearTimeout(t);
    },
  };
}
