// Decode speed of each precision, measured on this device as the user generates: every answer adds its decode
// tokens and time to the map it ran under (telemetry runs). Decode reads every weight once per token, so fewer
// weight bytes should mean more tokens per second once the kernels are memory-bound.
import { useSyncExternalStore } from 'react';
import { getRunsVersion, speedsByPrecision, subscribeRuns } from '../store/telemetry.ts';
import { formatBytes, formatFigure, formatInt } from '../format.ts';

export function SpeedByPrecision({ model, currentKey }: { model: string; currentKey: string | null }) {
  useSyncExternalStore(subscribeRuns, getRunsVersion); // re-render once per finished answer
  const speeds = speedsByPrecision().filter((s) => s.model === model && s.decodeTokens > 0);
  const top = Math.max(0, ...speeds.map((s) => s.decodeTokS));

  return (
    <section aria-labelledby="speed-title" className="flex min-w-0 flex-col gap-2" data-testid="speed-by-precision">
      <h3 id="speed-title" className="text-xs font-semibold tracking-wide text-zinc-600 uppercase dark:text-zinc-400">
        Decode speed by precision
      </h3>
      {speeds.length === 0 ? (
        <p className="rounded-lg border border-dashed border-zinc-300 px-3 py-3 text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
          Each answer adds its decode speed here, under the precision it ran with. Switch precision and generate again to compare.
        </p>
      ) : (
        <ul className="flex flex-col gap-1.5" aria-label="Decode tokens per second of each precision">
          {speeds.map((s) => (
            <li
              key={s.precision}
              className="flex flex-col gap-0.5"
              aria-label={`${s.label}: ${formatFigure(s.decodeTokS)} tokens per second over ${s.decodeTokens} tokens, ${formatBytes(s.weightBytes)} of weights`}
            >
              <div className="flex items-baseline gap-2 text-xs">
                <span className={`max-w-[9rem] truncate font-mono ${s.precision === currentKey ? 'font-semibold text-zinc-900 dark:text-zinc-50' : 'text-zinc-600 dark:text-zinc-400'}`} title={s.precision}>
                  {s.label}
                </span>
                <span className="text-zinc-600 dark:text-zinc-400">{formatBytes(s.weightBytes)}</span>
                <span className="ml-auto font-semibold text-zinc-900 tabular-nums dark:text-zinc-100">{formatFigure(s.decodeTokS)} tok/s</span>
              </div>
              <div className="h-2 overflow-hidden rounded-full bg-zinc-100 dark:bg-zinc-800" aria-hidden="true">
                <div
                  className={`h-full rounded-full ${s.precision === currentKey ? 'bg-indigo-600 dark:bg-indigo-400' : 'bg-zinc-400 dark:bg-zinc-500'}`}
                  style={{ width: `${top > 0 ? (100 * s.decodeTokS) / top : 0}%` }}
                />
              </div>
              <p className="text-[0.7rem] text-zinc-600 tabular-nums dark:text-zinc-400">
                {formatInt(s.decodeTokens)} tokens in {s.runs} answer{s.runs === 1 ? '' : 's'} · prefill {formatFigure(s.prefillTokS)} tok/s ·
                weights read {Number.isFinite(s.decodeTokS) ? `${formatBytes(s.decodeTokS * s.weightBytes)}/s` : '–'}
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
