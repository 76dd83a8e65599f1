// Views that start below the first screen mount a moment after the page's first model has settled (loaded, failed,
// or waiting for the person to allow a link's model), so that the chat is ready and answers first: on a 2-core
// machine their first render and their redraw for the loaded model put ~150 ms into the first answer's wait
// (docs/benchmarks.md, "First token after opening the page"). They come in the next idle moment (at most a second
// later), or after LONG_LOAD_MS while a big model is still loading, and as a transition, which React renders in
// slices that give way to a click or a streamed token.
import { startTransition, useEffect, useState, type ReactNode } from 'react';
import { useEngine } from '../store/engine.ts';

const IDLE_WAIT_MS = 1000;
const LONG_LOAD_MS = 2000;

let mounted = false; // once shown, a later view (a hot reload, a remount) shows at once

export function Later({ children }: { children: ReactNode }) {
  const [shown, setShown] = useState(mounted);
  const settled = useEngine((s) => s.loading === null);
  useEffect(() => {
    if (shown) return;
    const show = () => startTransition(() => { mounted = true; setShown(true); });
    if (!settled) {
      const id = setTimeout(show, LONG_LOAD_MS);
      return () => clearTimeout(id);
    }
    if (typeof requestIdleCallback !== 'function') { // Safari has no idle callbacks
      const id = setTimeout(show, 100);
      return () => clearTimeout(id);
    }
    const id = requestIdleCallback(show, { timeout: IDLE_WAIT_MS });
    return () => cancelIdleCallback(id);
  }, [settled, shown]);
  return shown ? children : null;
}
