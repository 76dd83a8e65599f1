// A Hub model's download: one bar for the whole model and one for the file being fetched, each with its bytes,
// the speed (MB/s, averaged over this download) and the time left, and Cancel (the partial file stays in the
// browser's storage; loading the model again resumes it with a Range request).
import type { LoadProgress } from '../../workers/api.ts';
import { cancelDownload } from '../engine/hub.ts';
import { formatBytes, formatDuration, formatFigure } from '../format.ts';
import { Button } from './ui.tsx';

/** "1.2 GB of 2.47 GB · 31 MB/s · 40 s left" (rate in bytes/s, when known). */
export function describeDownload(loaded: number, total: number, rate: number | null): string {
  const parts = [`${formatBytes(loaded)} of ${formatBytes(total)}`];
  if (rate !== null && rate > 0) parts.push(`${formatFigure(rate / 1e6)} MB/s`, `${formatDuration((total - loaded) / rate)} left`);
  return parts.join(' · ');
}

function Bar({ label, title, text, pct, testId, thin }: { label: string; title: string; text: string; pct: number | null; testId: string; thin?: boolean }) {
  return (
    <div className="flex flex-col gap-1">
      <div className="flex items-baseline justify-between gap-2 text-sm">
        <span className={`truncate ${thin ? 'text-xs text-zinc-600 dark:text-zinc-300' : 'font-medium text-zinc-800 dark:text-zinc-200'}`} title={title}>
          {title}
        </span>
        {pct !== null && <span className="shrink-0 text-xs text-zinc-600 tabular-nums dark:text-zinc-400">{pct.toFixed(0)}%</span>}
      </div>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct === null ? undefined : Math.round(pct)}
        aria-valuetext={text}
        data-testid={testId}
        className={`${thin ? 'h-1.5' : 'h-2'} overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800`}
      >
        <div
          className={`h-full rounded-full ${thin ? 'bg-sky-500 dark:bg-sky-400' : 'bg-indigo-600 dark:bg-indigo-400'} transition-[width] duration-150 ${pct === null ? 'w-1/3 animate-pulse' : ''}`}
          style={pct === null ? undefined : { width: `${pct}%` }}
        />
      </div>
      <p className="text-xs text-zinc-600 tabular-nums dark:text-zinc-400">{text}</p>
    </div>
  );
}

const percent = (loaded: number, total: number) => (total > 0 ? Math.min(100, (100 * loaded) / total) : null);

export function DownloadProgress({ id, progress, rate }: { id: string; progress: LoadProgress | null; rate: number | null }) {
  const p = progress && progress.total > 0 ? progress : null;
  return (
    <div role="group" aria-label={`Download of ${id}`} className="flex flex-col gap-2.5">
      <Bar
        label={`Downloading ${id}`}
        title={`Downloading ${id}`}
        text={p ? describeDownload(p.loaded, p.total, rate) : 'Finding the files on the Hub…'}
        pct={p ? percent(p.loaded, p.total) : null}
        testId="download-total"
      />
      {p?.file && (
        <Bar
          label={`Downloading file ${p.file}`}
          title={p.file}
          text={describeDownload(p.fileLoaded ?? 0, p.fileTotal ?? 0, rate)}
          pct={percent(p.fileLoaded ?? 0, p.fileTotal ?? 0)}
          testId="download-file"
          thin
        />
      )}
      <div>
        <Button variant="secondary" size="sm" onClick={cancelDownload}>
          Cancel download
        </Button>
      </div>
    </div>
  );
}
