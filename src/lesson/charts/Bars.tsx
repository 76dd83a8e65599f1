// Horizontal bars, one per row: a label, a bar as long as the value is against the largest, and the value written
// out. Each row is a list item whose accessible name says label and value, so the chart reads as a list.

export interface Bar {
  key: string | number;
  label: string;
  value: number;
  text: string;
  /** A second, faint bar behind (e.g. the probability before sampling's cuts). */
  ghost?: number;
  muted?: boolean;
  strong?: boolean;
}

export function Bars({ bars, label, max, testId, labelClass = 'w-28' }: { bars: Bar[]; label: string; max?: number; testId?: string; labelClass?: string }) {
  const top = max ?? Math.max(1e-12, ...bars.map((b) => Math.max(b.value, b.ghost ?? 0)));
  return (
    <ul aria-label={label} className="flex flex-col gap-1" data-testid={testId}>
      {bars.map((b) => (
        <li key={b.key} aria-label={`${b.label}: ${b.text}`} className="flex items-center gap-2 text-sm">
          <span className={`shrink-0 truncate text-right font-mono text-xs ${labelClass} ${b.muted ? 'text-zinc-500 dark:text-zinc-400' : 'text-zinc-800 dark:text-zinc-200'}`} title={b.label}>{b.label}</span>
          <span className="relative h-4 min-w-0 flex-1 overflow-hidden rounded bg-zinc-100 dark:bg-zinc-800" aria-hidden="true">
            {b.ghost !== undefined && <span className="absolute inset-y-0 left-0 rounded bg-zinc-300 dark:bg-zinc-600" style={{ width: `${(100 * b.ghost) / top}%` }} />}
            <span className={`absolute inset-y-0 left-0 rounded ${b.muted ? 'bg-zinc-400/60' : b.strong ? 'bg-emerald-600 dark:bg-emerald-400' : 'bg-indigo-600 dark:bg-indigo-400'}`} style={{ width: `${(100 * b.value) / top}%` }} />
          </span>
          <span className={`w-16 shrink-0 text-right text-xs tabular-nums ${b.muted ? 'text-zinc-500 dark:text-zinc-400' : 'text-zinc-800 dark:text-zinc-200'}`}>{b.text}</span>
        </li>
      ))}
    </ul>
  );
}
