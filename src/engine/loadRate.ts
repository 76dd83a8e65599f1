// Speed of a load phase in bytes per second, from successive progress events timed on the main thread: the
// average since the phase's first event, given only once the phase has run long enough for it to mean something.
import type { LoadProgress } from '../../workers/api.ts';

/** A phase shows its speed after this long (short loads show none). */
export const RATE_AFTER_MS = 1500;

/** Returns a meter: feed it every progress event; it answers bytes/s of the current phase, or null. */
export function rateMeter(now: () => number = () => performance.now()): (p: LoadProgress) => number | null {
  let phase: LoadProgress['phase'] | null = null;
  let t0 = 0;
  let b0 = 0;
  let total = -1;
  return (p) => {
    const t = now();
    if (p.phase !== phase || p.loaded < b0 || p.total !== total) {
      // a new phase, a restarted count, or a new total (a Hub download that resumes counts its kept bytes as
      // loaded from its first report) starts a new average
      phase = p.phase;
      total = p.total;
      t0 = t;
      b0 = p.loaded;
      return null;
    }
    const ms = t - t0;
    return p.phase !== 'compile' && ms >= RATE_AFTER_MS ? (1000 * (p.loaded - b0)) / ms : null;
  };
}
