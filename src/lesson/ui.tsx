// The lesson's small building blocks: a chapter's words with their source, the "try this" box, a measured figure,
// a chart's values as a table on demand, labelled pickers, and the engine's state (working, failed).
import { useId, type ReactNode } from 'react';
import { Spinner, focusRing } from '../components/ui.tsx';

/** A chapter's few sentences. */
export function Prose({ children }: { children: ReactNode }) {
  return <div className="lesson-prose flex max-w-3xl flex-col gap-2 text-[0.95rem] leading-relaxed text-zinc-800 dark:text-zinc-200">{children}</div>;
}

/** Where a claim comes from: "Llama 3 paper, §6.2". */
export function Cite({ children }: { children: ReactNode }) {
  return <span className="lesson-muted text-xs whitespace-nowrap text-zinc-600 dark:text-zinc-400">({children})</span>;
}

/** A figure quoted from the paper, labelled as such (the only numbers on screen not measured here). */
export function PaperFigure({ children }: { children: ReactNode }) {
  return (
    <span className="rounded bg-amber-100 px-1 font-medium text-amber-900 dark:bg-amber-400/15 dark:text-amber-200" title="A number quoted from the Llama 3 paper, not measured here">
      {children}
    </span>
  );
}

/** The one thing to try in a chapter. */
export function TryThis({ children }: { children: ReactNode }) {
  return (
    <aside aria-label="Try this" className="lesson-try rounded-xl border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-950 dark:border-emerald-500/30 dark:bg-emerald-500/10 dark:text-emerald-100">
      <span className="font-semibold">Try this: </span>
      {children}
    </aside>
  );
}

/** A measured number with its label and what it means. */
export function Figure({ label, value, note, testId, strong }: { label: string; value: ReactNode; note?: ReactNode; testId?: string; strong?: boolean }) {
  return (
    <div className="min-w-0 rounded-xl bg-zinc-50 px-3 py-2 dark:bg-zinc-800/60">
      <dt className="lesson-muted text-xs text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className={`text-xl font-semibold tabular-nums ${strong ? 'text-indigo-700 dark:text-indigo-300' : 'text-zinc-900 dark:text-zinc-50'}`} data-testid={testId}>
        {value}
      </dd>
      {note && <dd className="lesson-muted text-xs text-zinc-600 dark:text-zinc-400">{note}</dd>}
    </div>
  );
}

export function Figures({ children, className = '' }: { children: ReactNode; className?: string }) {
  return <dl className={`grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-4 ${className}`}>{children}</dl>;
}

/** A chart's numbers as a table, shown on demand (the chart's text equivalent). */
export function ValuesTable({ caption, columns, rows, testId }: { caption: string; columns: string[]; rows: ReactNode[][]; testId?: string }) {
  return (
    <details className="text-sm" data-testid={testId}>
      <summary className={`lesson-muted cursor-pointer rounded text-xs text-zinc-600 dark:text-zinc-400 ${focusRing}`}>Show the numbers as a table</summary>
      <div tabIndex={0} role="region" aria-label={caption} className="focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 dark:focus-visible:outline-indigo-400 mt-1 max-h-72 overflow-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
        <table className="w-full text-left text-xs tabular-nums">
          <caption className="sr-only">{caption}</caption>
          <thead className="sticky top-0 bg-zinc-100 dark:bg-zinc-800">
            <tr>{columns.map((c) => <th key={c} scope="col" className="px-2 py-1 font-semibold">{c}</th>)}</tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i} className="border-t border-zinc-100 dark:border-zinc-800">
                {r.map((cell, j) => (j === 0 ? <th key={j} scope="row" className="px-2 py-0.5 font-normal">{cell}</th> : <td key={j} className="px-2 py-0.5">{cell}</td>))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

const selectClass = `rounded-lg border border-zinc-300 bg-white px-2 py-1.5 text-sm text-zinc-900 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100 ${focusRing}`;

/** A labelled select of numbers ("Layer": 0 … L−1). */
export function NumberPicker(props: { label: string; value: number; count: number; onChange: (v: number) => void; name?: (i: number) => string }) {
  const id = useId();
  return (
    <div className="flex items-center gap-2">
      <label htmlFor={id} className="text-sm font-medium text-zinc-700 dark:text-zinc-300">{props.label}</label>
      <select id={id} value={props.value} onChange={(e) => props.onChange(Number(e.target.value))} className={selectClass}>
        {Array.from({ length: props.count }, (_, i) => <option key={i} value={i}>{props.name ? props.name(i) : i}</option>)}
      </select>
    </div>
  );
}

/** The engine's state for a chapter's visual: working (a spinner), failed (the one-line reason), or nothing. */
export function EngineState({ busy, error, what }: { busy: boolean; error: string | null; what: string }) {
  if (error) return <p role="alert" className="text-sm text-rose-700 dark:text-rose-300" data-testid="lesson-error">{error}</p>;
  if (!busy) return null;
  return (
    <p className="flex items-center gap-2 text-xs text-zinc-600 dark:text-zinc-400">
      <Spinner label={`Computing ${what}`} /> Computing {what}…
    </p>
  );
}

/** What a chapter says while there is no model to ask. */
export function NeedsModel() {
  return <p className="text-sm text-zinc-600 dark:text-zinc-400">The model is loading; this chapter measures it as soon as it is ready.</p>;
}

/** A heading inside a chapter. */
export function SubHeading({ children, id }: { children: ReactNode; id?: string }) {
  return <h4 id={id} className="text-xs font-semibold tracking-wide text-zinc-700 uppercase dark:text-zinc-300">{children}</h4>;
}
