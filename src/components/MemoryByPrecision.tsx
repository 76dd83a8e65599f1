// Weight memory of the current precision map next to the same model in f32, bf16 and the Llama 3 FP8 recipe.
// The presets are computed with the packing math (src/viz/weightBytes.ts); the current map's figure is the
// engine's own (ModelInfo.weightBytes). Changes only when the model or the map does.
import { precisionLabel } from '../engine/precision.ts';
import { useEngine } from '../store/engine.ts';
import { formatBytes } from '../format.ts';
import { presetBytes } from '../viz/weightBytes.ts';

const COMPARE = ['f32', 'bf16', 'fp8-llama3'] as const;

export function MemoryByPrecision() {
  const info = useEngine((s) => s.info);
  if (!info) return null;
  const rows = [
    { key: 'current', label: `current (${precisionLabel(info.precision)})`, bytes: info.weightBytes, current: true },
    ...COMPARE.map((p) => ({ key: p, label: p, bytes: presetBytes(info.config, p), current: false })),
  ];
  const f32 = rows[1].bytes;

  return (
    <section aria-labelledby="memory-title" className="mt-4 border-t border-zinc-100 pt-3 dark:border-zinc-800" data-testid="memory-by-precision">
      <h3 id="memory-title" className="mb-2 text-xs font-semibold tracking-wide text-zinc-600 uppercase dark:text-zinc-400">
        Weight memory by precision
      </h3>
      <ul className="flex flex-col gap-1.5">
        {rows.map((r) => (
          <li key={r.key} className="grid grid-cols-[9rem_minmax(0,1fr)_4.5rem] items-center gap-2 text-xs" aria-label={`${r.label}: ${formatBytes(r.bytes)}`}>
            <span title={r.label} className={`truncate font-mono ${r.current ? 'font-semibold text-zinc-900 dark:text-zinc-50' : 'text-zinc-600 dark:text-zinc-400'}`}>{r.label}</span>
            <span className="h-2.5 overflow-hidden rounded-full bg-zinc-100 dark:bg-zinc-800" aria-hidden="true">
              <span
                className={`block h-full rounded-full ${r.current ? 'bg-indigo-600 dark:bg-indigo-400' : 'bg-zinc-400 dark:bg-zinc-500'}`}
                style={{ width: `${Math.min(100, (100 * r.bytes) / f32)}%` }}
              />
            </span>
            <span className="text-right text-zinc-900 tabular-nums dark:text-zinc-100" data-testid={`memory-${r.key}`}>{formatBytes(r.bytes)}</span>
          </li>
        ))}
      </ul>
      <p className="mt-1.5 text-[0.7rem] text-zinc-600 dark:text-zinc-400">
        f32 4 B, bf16 2 B, fp8 1 B per weight + one f32 scale per row; rows padded to 16 B for vec4 loads.
      </p>
    </section>
  );
}
