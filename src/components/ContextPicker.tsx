// How many positions the KV cache holds (LoadOptions.context): the engine allocates the cache at load, so a new
// size reloads the model (same file, same precision; the conversation stays). Each choice shows what its cache
// costs, scaled from the bytes the engine holds now (K and V: 2 x nLayers x kvDim values per position).
import { useState } from 'react';
import type { ModelInfo } from '../../workers/api.ts';
import { setContext } from '../engine/controller.ts';
import { useEngine } from '../store/engine.ts';
import { formatBytes, formatInt } from '../format.ts';
import { ReloadSelect } from './ReloadSelect.tsx';

/** The sizes offered, up to the model's own context (128 and 256 for the tiny models that stop at 512). */
const SIZES = [128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072];

export function contextOptions(contextLength: number, current: number): number[] {
  const sizes = SIZES.filter((n) => n <= contextLength);
  return [...new Set([...sizes, contextLength, current])].sort((a, b) => a - b);
}

export function ContextPicker({ info }: { info: ModelInfo }) {
  const loading = useEngine((s) => s.loading);
  const [note, setNote] = useState<string | null>(null);
  const [asked, setAsked] = useState<number | null>(null);
  const kv = info.memory.gpu_bytes?.kv ?? info.memory.host_bytes.kv;
  const perPosition = info.context > 0 ? kv / info.context : 0;
  const options = contextOptions(info.config.contextLength, info.context)
    .map((n) => ({ value: n, text: `${formatInt(n)} positions${perPosition > 0 ? ` · KV ${formatBytes(perPosition * n)}` : ''}` }));

  async function pick(n: number) {
    setAsked(n);
    setNote(`Reloading ${info.name} with a ${formatInt(n)}-position KV cache…`);
    await setContext(n);
    const after = useEngine.getState();
    setAsked(null);
    setNote(after.error ? null : `Reloaded with a ${formatInt(after.info?.context ?? n)}-position KV cache.`);
  }

  return (
    <ReloadSelect
      label="Context"
      name="context"
      options={options}
      value={loading && asked !== null ? asked : info.context}
      hint={`Positions the KV cache holds (the model allows ${formatInt(info.config.contextLength)}); changing it reloads the model.`}
      note={note}
      onPick={(n) => void pick(n)}
    />
  );
}
