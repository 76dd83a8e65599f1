// A load setting that takes a reload to change (the KV context, the CPU engine's threads): a labelled select, a hint
// under it, and a status line that says what the reload did. Disabled while a model loads or an answer streams.
import { useId, type ReactNode } from 'react';
import { useEngine } from '../store/engine.ts';
import { useSession } from '../store/session.ts';
import { focusRing } from './ui.tsx';

export function ReloadSelect({ label, name, options, value, disabled = false, hint, note, onPick }: {
  label: string;
  /** Test ids: `${name}-select`, `${name}-hint`, `${name}-status`. */
  name: string;
  options: { value: number; text: string }[];
  value: number;
  disabled?: boolean;
  hint: ReactNode;
  note: string | null;
  onPick: (value: number) => void;
}) {
  const loading = useEngine((s) => s.loading);
  const streaming = useSession((s) => s.streamingId !== null);
  const id = useId();
  return (
    <div className="flex flex-col gap-1">
      <div className="flex flex-wrap items-center gap-2">
        <label htmlFor={id} className="text-xs font-medium text-zinc-600 dark:text-zinc-300">
          {label}
        </label>
        <select
          id={id}
          value={value}
          disabled={loading !== null || streaming || disabled}
          aria-describedby={`${id}-hint`}
          data-testid={`${name}-select`}
          onChange={(e) => onPick(Number(e.target.value))}
          className={`rounded-lg border border-zinc-300 bg-white px-2 py-1 text-sm text-zinc-900 tabular-nums disabled:opacity-60 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100 ${focusRing}`}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.text}
            </option>
          ))}
        </select>
      </div>
      <p id={`${id}-hint`} className="text-xs text-zinc-600 dark:text-zinc-400" data-testid={`${name}-hint`}>
        {hint}
      </p>
      <p role="status" className="text-xs text-indigo-700 dark:text-indigo-300" data-testid={`${name}-status`}>
        {note}
      </p>
    </div>
  );
}
