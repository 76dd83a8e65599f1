// Memory fit: will this Llama fit on H100s, in BF16 and under the Llama 3 FP8 recipe? Bytes are counted per
// tensor (src/viz/memoryFit.ts) and drawn against nodes of 8 x 80 GB.
import { useId, useMemo, useState } from 'react';
import { useEngine } from '../store/engine.ts';
import { H100, LLAMA31, NODE_BYTES, memoryFit, type Fit, type ModelShape, type Recipe } from '../viz/memoryFit.ts';
import { formatBytes, formatCount } from '../format.ts';
import { Panel, focusRing } from './ui.tsx';
import { DeployCommands } from './DeployCommands.tsx';

const CONTEXTS = [2048, 8192, 32_768, 131_072];
const selectClass = `rounded-lg border border-zinc-300 bg-white px-2 py-1.5 text-sm text-zinc-900 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100 ${focusRing}`;

const SEGMENTS = [
  { key: 'embeddings', label: 'Embeddings + head', color: 'bg-sky-500' },
  { key: 'attention', label: 'Attention', color: 'bg-violet-500' },
  { key: 'ffn', label: 'FFN', color: 'bg-indigo-500' },
  { key: 'kv', label: 'KV cache', color: 'bg-amber-500' },
] as const;

const RECIPES: { recipe: Recipe; label: string }[] = [
  { recipe: 'bf16', label: 'BF16' },
  { recipe: 'fp8', label: 'FP8 recipe' },
];

export function MemoryFitPanel() {
  const loaded = useEngine((s) => s.info);
  const [choice, setChoice] = useState<string>('405B');
  const [context, setContext] = useState(131_072);
  const [batch, setBatch] = useState(1);
  const ids = { model: useId(), context: useId(), batch: useId() };

  const models: Record<string, ModelShape> = useMemo(
    () => ({ ...LLAMA31, ...(loaded ? { loaded: loaded.config } : {}) }),
    [loaded],
  );
  const model = models[choice] ?? LLAMA31['405B'];
  const name = choice === 'loaded' && loaded ? loaded.name : `Llama 3.1 ${choice}`;
  const fits = RECIPES.map((r) => ({ ...r, fit: memoryFit(model, r.recipe, context, batch) }));
  const axis = Math.max(...fits.map((f) => f.fit.nodes)) * NODE_BYTES;

  return (
    <Panel label="Memory fit" hint={`H100: ${formatBytes(H100.bytes)}, ${H100.perNode} per node`}>
      <div className="flex flex-wrap items-end gap-3">
        <div className="flex flex-col gap-1">
          <label htmlFor={ids.model} className="text-xs font-medium text-zinc-600 dark:text-zinc-400">
            Model
          </label>
          <select id={ids.model} value={choice} onChange={(e) => setChoice(e.target.value)} className={selectClass}>
            {Object.keys(LLAMA31).map((k) => (
              <option key={k} value={k}>
                Llama 3.1 {k}
              </option>
            ))}
            {loaded && <option value="loaded">Loaded: {loaded.name}</option>}
          </select>
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor={ids.context} className="text-xs font-medium text-zinc-600 dark:text-zinc-400">
            Context
          </label>
          <select id={ids.context} value={context} onChange={(e) => setContext(Number(e.target.value))} className={selectClass}>
            {CONTEXTS.map((c) => (
              <option key={c} value={c}>
                {c >= 1024 ? `${c / 1024}K` : c} tokens
              </option>
            ))}
          </select>
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor={ids.batch} className="text-xs font-medium text-zinc-600 dark:text-zinc-400">
            Batch
          </label>
          <input
            id={ids.batch}
            type="number"
            min={1}
            max={256}
            value={batch}
            onChange={(e) => {
              const v = e.target.valueAsNumber;
              if (Number.isFinite(v)) setBatch(Math.min(256, Math.max(1, Math.round(v))));
            }}
            className={`w-20 text-right tabular-nums ${selectClass}`}
          />
        </div>
      </div>

      <div className="mt-4 flex flex-col gap-4">
        {fits.map(({ recipe, label, fit }) => (
          <FitRow key={recipe} label={label} name={name} fit={fit} axis={axis} />
        ))}
      </div>

      <ul className="mt-3 flex flex-wrap gap-x-4 gap-y-1 text-xs text-zinc-600 dark:text-zinc-400" aria-label="Legend">
        {SEGMENTS.map((s) => (
          <li key={s.key} className="flex items-center gap-1.5">
            <span className={`size-2.5 rounded-sm ${s.color}`} aria-hidden="true" />
            {s.label}
          </li>
        ))}
        <li className="flex items-center gap-1.5">
          <span className="size-2.5 rounded-sm bg-indigo-500 bg-[image:repeating-linear-gradient(45deg,transparent_0_2px,rgba(255,255,255,.55)_2px_4px)]" aria-hidden="true" />
          FFN in FP8
        </li>
      </ul>
      <div className="mt-4 flex flex-col gap-3 border-t border-zinc-100 pt-3 dark:border-zinc-800">
        {fits.map(({ recipe, label, fit }) => (
          <DeployCommands key={recipe} model={choice === 'loaded' && loaded ? loaded.name : choice} recipe={recipe} label={label} fit={fit} context={context} batch={batch} />
        ))}
        <p className="text-xs text-zinc-600 dark:text-zinc-400">
          Flags as documented by vLLM 0.8 (Distributed Inference and Serving) and llama.cpp&apos;s server README.
        </p>
      </div>
      <p className="mt-2 text-xs text-zinc-600 dark:text-zinc-400">
        FP8 recipe (Llama 3, §6.2): w1, w3, w2 of layers 1 … L−2 in FP8 with one f32 scale per row; attention, first
        and last layer, embeddings and head in BF16. KV cache in BF16: 2 × layers × KV heads × head dim × context ×
        batch × 2 bytes. Activations and workspace are not counted.
      </p>
    </Panel>
  );
}

function FitRow({ label, name, fit, axis }: { label: string; name: string; fit: Fit; axis: number }) {
  const w = fit.weights;
  const parts = [
    { ...SEGMENTS[0], bytes: w.embeddings + w.norms },
    { ...SEGMENTS[1], bytes: w.attention },
    { ...SEGMENTS[2], bytes: w.ffn },
    { ...SEGMENTS[3], bytes: fit.kvCache },
  ];
  const pct = (b: number) => `${(100 * b) / axis}%`;
  const nodes = Array.from({ length: Math.round(axis / NODE_BYTES) }, (_, i) => i);
  const summary = `${label}: ${formatBytes(w.total)} weights + ${formatBytes(fit.kvCache)} KV cache = ${formatBytes(fit.total)}; ${fit.gpus} H100${fit.gpus === 1 ? '' : 's'}, ${fit.nodes} node${fit.nodes === 1 ? '' : 's'}`;

  return (
    <div className="flex flex-col gap-1.5">
      <div className="flex flex-wrap items-baseline justify-between gap-x-3">
        <p className="text-sm font-semibold text-zinc-900 dark:text-zinc-100">
          {label}{' '}
          <span className="font-normal text-zinc-600 dark:text-zinc-400">
            {name} · {formatCount(w.params)} params
          </span>
        </p>
        <p className="text-sm tabular-nums" data-testid={`fit-${label}`}>
          <span className="font-semibold">{formatBytes(fit.total)}</span>
          <span className="text-zinc-600 dark:text-zinc-400"> → </span>
          <span
            className={`rounded-full px-2 py-0.5 text-xs font-semibold ${
              fit.nodes === 1
                ? 'bg-emerald-100 text-emerald-800 dark:bg-emerald-500/15 dark:text-emerald-300'
                : 'bg-rose-100 text-rose-800 dark:bg-rose-500/15 dark:text-rose-300'
            }`}
          >
            {fit.nodes} node{fit.nodes === 1 ? '' : 's'} · {fit.gpus} GPU{fit.gpus === 1 ? '' : 's'}
          </span>
        </p>
      </div>
      <div role="img" aria-label={summary} className="relative h-6 overflow-hidden rounded-md bg-zinc-100 dark:bg-zinc-800">
        <div className="absolute inset-0 flex">
          {parts.map((p) => (
            <div
              key={p.key}
              className={`h-full ${p.color} ${p.key === 'ffn' && w.fp8Params > 0 ? 'bg-[image:repeating-linear-gradient(45deg,transparent_0_2px,rgba(255,255,255,.55)_2px_4px)]' : ''}`}
              style={{ width: pct(p.bytes) }}
              title={`${p.label}: ${formatBytes(p.bytes)}`}
            />
          ))}
        </div>
        {/* One tick per GPU (80 GB), a strong line per node (640 GB). */}
        {Array.from({ length: Math.round(axis / H100.bytes) - 1 }, (_, i) => (
          <div
            key={i}
            className={`absolute inset-y-0 w-px ${(i + 1) % H100.perNode === 0 ? 'bg-zinc-900 dark:bg-zinc-100' : 'bg-white/70 dark:bg-zinc-950/60'}`}
            style={{ left: pct((i + 1) * H100.bytes) }}
            aria-hidden="true"
          />
        ))}
      </div>
      <div className="flex text-[0.7rem] text-zinc-600 dark:text-zinc-400" aria-hidden="true">
        {nodes.map((n) => (
          <span key={n} className="flex-1 text-center">
            node {n + 1} ({formatBytes(NODE_BYTES)})
          </span>
        ))}
      </div>
      <p className="text-xs text-zinc-600 tabular-nums dark:text-zinc-400">
        weights {formatBytes(w.total)}
        {w.fp8Params > 0 && ` (${formatCount(w.fp8Params)} params in FP8)`} · KV cache {formatBytes(fit.kvCache)}
      </p>
    </div>
  );
}
