// How many threads the CPU engine runs on (LoadOptions.threads): its big matrix-vector products are split by rows
// over a pool of workers sharing the weights' memory (workers/cpu-pool/), which only a cross-origin isolated page may
// do (COOP/COEP headers). The pool is made at load, so a new count reloads the model (the conversation stays).
import { useState } from 'react';
import type { ModelInfo } from '../../workers/api.ts';
import { setThreads } from '../engine/controller.ts';
import { useEngine } from '../store/engine.ts';
import { threadOptions } from '../store/settings.ts';
import { ReloadSelect } from './ReloadSelect.tsx';

const threadsText = (n: number) => `${n} thread${n === 1 ? '' : 's'}`;

export function ThreadsPicker({ info }: { info: ModelInfo }) {
  const loading = useEngine((s) => s.loading);
  const [note, setNote] = useState<string | null>(null);
  const [asked, setAsked] = useState<number | null>(null);
  const running = info.threads ?? 1;
  const isolated = globalThis.crossOriginIsolated === true;
  const cores = navigator.hardwareConcurrency || 1;
  const options = threadOptions(cores, running, isolated).map((n) => ({ value: n, text: threadsText(n) }));

  async function pick(n: number) {
    setAsked(n);
    setNote(`Reloading ${info.name} on ${threadsText(n)}…`);
    await setThreads(n);
    const after = useEngine.getState();
    setAsked(null);
    const got = after.info?.threads ?? n;
    const why = got === 1 ? 'this model\u2019s matrices are all too small to split (under 1M weights each)' : 'see the notice above';
    setNote(after.error ? null : got < n ? `Reloaded on ${threadsText(got)}: ${why}.` : `Reloaded on ${threadsText(got)}.`);
  }

  return (
    <ReloadSelect
      label="Threads"
      name="threads"
      options={options}
      value={loading && asked !== null ? asked : running}
      disabled={options.length === 1}
      hint={isolated
        ? `The CPU engine splits each big matrix's rows over this many threads (this device has ${cores} cores; a model whose matrices are all under 1M weights stays on one); the same numbers, faster on a big model. Changing it reloads the model.`
        : 'One thread: this page is not cross-origin isolated (its host sends no COOP/COEP headers), so threads cannot share the weights.'}
      note={note}
      onPick={(n) => void pick(n)}
    />
  );
}
