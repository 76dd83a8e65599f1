// Progress of a model load: the phase in words and bytes (or items) done of the total.
import type { LoadProgress } from '../../workers/api.ts';
import { formatBytes, formatInt } from '../format.ts';

const PHASE: Record<LoadProgress['phase'], string> = {
  download: 'Downloading',
  parse: 'Reading weights',
  upload: 'Uploading to the GPU',
  compile: 'Compiling kernels',
};

export function describeProgress(p: LoadProgress | null): string {
  if (!p) return 'Starting…';
  const amount =
    p.total > 0
      ? p.phase === 'compile'
        ? `${formatInt(p.loaded)} of ${formatInt(p.total)}`
        : `${formatBytes(p.loaded)} of ${formatBytes(p.total)}`
      : p.phase === 'compile'
        ? formatInt(p.loaded)
        : formatBytes(p.loaded);
  return `${PHASE[p.phase] ?? p.phase}: ${amount}`;
}

export function LoadProgressBar({ progress, label }: { progress: LoadProgress | null; label: string }) {
  const pct = progress && progress.total > 0 ? Math.min(100, (100 * progress.loaded) / progress.total) : null;
  const text = describeProgress(progress);
  return (
    <div className="flex flex-col gap-1.5">
      <div className="flex items-baseline justify-between gap-2 text-sm">
        <span className="truncate font-medium text-zinc-800 dark:text-zinc-200">{label}</span>
        {pct !== null && <span className="shrink-0 text-xs text-zinc-500 tabular-nums dark:text-zinc-400">{pct.toFixed(0)}%</span>}
      </div>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct === null ? undefined : Math.round(pct)}
        aria-valuetext={text}
        className="h-2 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800"
      >
        <div
          className={`h-full rounded-full bg-indigo-600 transition-[width] duration-150 dark:bg-indigo-400 ${pct === null ? 'w-1/3 animate-pulse' : ''}`}
          style={pct === null ? undefined : { width: `${pct}%` }}
        />
      </div>
      <p className="text-xs text-zinc-500 tabular-nums dark:text-zinc-400" data-testid="load-progress-text">
        {text}
      </p>
    </div>
  );
}
