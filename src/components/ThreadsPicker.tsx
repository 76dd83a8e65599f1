// How many threads the CPU engine runs on (LoadOptions.threads): its big matrix-vector products are split by rows
// over a pool of workers sharing the weights' memory (workers/cpu-pool/), which only a cross-origin isolated page may
// do (COOP/COEP headers). The pool is made at load, so a new count reloads the model (the conversation stays).
import { useId, useState } from 'react';
import type { ModelInfo } from '../../workers/api.ts';
import { setThreads } from '../engine/controller.ts';
import { useEngine } from '../store/engine.ts';
import { useSession } from '../store/session.ts';
import { threadOptions } from '../store/settings.ts';
import { focusRing } from './ui.tsx';

export function ThreadsPicker({ info }: { info: ModelInfo }) {
  const loading = useEngine((s) => s.loading);
  const streaming = useSession((s) => s.streamingId !== null);
  const [note, setNote] = useState<string | null>(null);
  const [asked, setAsked] = useState<number | null>(null);
  const id = useId();
  const running = info.threads ?? 1;
  const isolated = globalThis.crossOriginIsolated === true;
  const cores = navigator.hardwareConcurrency || 1;
  const options = threadOptions(cores, running, isolated);
  const value = loading && asked !== null ? asked : running;

  async function pick(n: number) {
    setAsked(n);
    setNote(`Reloading ${info.name} on ${n} thread${n === 1 ? '' : 's'}…`);
    await setThreads(n);
    const after = useEngine.getState();
    setAsked(null);
    const got = after.info?.threads ?? n;
    setNote(after.error ? null : got < n
      ? `Reloaded on ${got} thread${got === 1 ? '' : 's'}: ${got === 1 ? 'this model\u2019s matrices are all too small to split (under 1M weights each)' : 'see the notice above'}.`
      : `Reloaded on ${got} thread${got === 1 ? '' : 's'}.`);
  }

  return (
    <div className="flex flex-col gap-1">
      <div className="flex flex-wrap items-center gap-2">
        <label htmlFor={id} className="text-xs font-medium text-zinc-600 dark:text-zinc-300">
          Threads
        </label>
        <select
          id={id}
          value={value}
          disabled={loading !== null || streaming || options.length === 1}
          aria-describedby={`${id}-hint`}
          data-testid="threads-select"
          onChange={(e) => void pick(Number(e.target.value))}
          className={`rounded-lg border border-zinc-300 bg-white px-2 py-1 text-sm text-zinc-900 tabular-nums disabled:opacity-60 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100 ${focusRing}`}
        >
          {options.map((n) => (
            <option key={n} value={n}>
              {n} thread{n === 1 ? '' : 's'}
            </option>
          ))}
        </select>
      </div>
      <p id={`${id}-hint`} className="text-xs text-zinc-600 dark:text-zinc-400" data-testid="threads-hint">
        {isolated
          ? `The CPU engine splits each big matrix's rows over this many threads (this device has ${cores} cores; a model whose matrices are all under 1M weights stays on one); the same numbers, faster on a big model. Changing it reloads the model.`
          : 'One thread: this page is not cross-origin isolated (its host sends no COOP/COEP headers), so threads cannot share the weights.'}
      </p>
      <p role="status" className="text-xs text-indigo-700 dark:text-indigo-300" data-testid="threads-status">
        {note}
      </p>
    </div>
  );
}
