// Shown when the GPU device was lost (usually out of GPU memory): offer to load the same model again.
// The conversation stays; only the engine state is rebuilt.
import { reloadModel } from '../engine/controller.ts';
import { useEngine } from '../store/engine.ts';
import { Button } from './ui.tsx';

export function FaultBanner() {
  const deviceLost = useEngine((s) => s.deviceLost);
  const loading = useEngine((s) => s.loading);
  if (!deviceLost) return null;
  return (
    <div
      role="alert"
      className="flex flex-wrap items-center gap-3 rounded-2xl border border-rose-300 bg-rose-50 px-4 py-3 text-sm text-rose-900 dark:border-rose-500/40 dark:bg-rose-500/10 dark:text-rose-100"
    >
      <p className="min-w-0 flex-1">
        <strong className="font-semibold">The GPU device was lost</strong> (often: out of GPU memory). Your conversation
        is kept; reload the model to continue.
      </p>
      <Button variant="danger" onClick={() => void reloadModel()} disabled={loading !== null}>
        {loading ? 'Reloading…' : 'Reload model'}
      </Button>
    </div>
  );
}
