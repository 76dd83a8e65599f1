// Progress of a model load: the phase in words, bytes of the file done of the total (byte-accurate: the engine
// counts the bytes it reads), and the speed once the phase has run for a while.
import type { LoadProgress } from '../../workers/api.ts';
import { formatBytes, formatFigure, formatInt } from '../format.ts';

const PHASE: Record<LoadProgress['phase'], string> = {
  download: 'Downloading',
  parse: 'Reading weights', // CPU engine: read from the file and packed in memory
  upload: 'Reading weights onto the GPU', // WebGPU engine: read from the file, packed and uploaded
  compile: 'Compiling kernels',
};

/** "Reading weights onto the GPU: 1.2 GB of 2.47 GB · 310 MB/s" (rate in bytes/s, when known). */
export function describeProgress(p: LoadProgress | null, rate: number | null = null): string {
  if (!p) return 'Starting…';
  if (p.phase === 'download' && p.total === 0 && p.loaded === 0) return 'Opening the files…'; // headers and the tokenizer
  const count = p.phase === 'compile' ? formatInt : formatBytes;
  const amount = p.total > 0 ? `${count(p.loaded)} of ${count(p.total)}` : count(p.loaded);
  const speed = rate !== null && p.phase !== 'compile' && rate > 0 ? ` · ${formatFigure(rate / 1e6)} MB/s` : '';
  return `${PHASE[p.phase] ?? p.phase}: ${amount}${speed}`;
}

export function LoadProgressBar({ progress, rate = null, label }: { progress: LoadProgress | null; rate?: number | null; label: string }) {
  const pct = progress && progress.total > 0 ? Math.min(100, (100 * progress.loaded) / progress.total) : null;
  const text = describeProgress(progress, rate);
  return (
    <div className="flex flex-col gap-1.5">
      <div className="flex items-baseline justify-between gap-2 text-sm">
        <span className="truncate font-medium text-zinc-800 dark:text-zinc-200" title={label}>{label}</span>
        {pct !== null && <span className="shrink-0 text-xs text-zinc-600 tabular-nums dark:text-zinc-400">{pct.toFixed(0)}%</span>}
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
      <p className="text-xs text-zinc-600 tabular-nums dark:text-zinc-400" data-testid="load-progress-text">
        {text}
      </p>
    </div>
  );
}
