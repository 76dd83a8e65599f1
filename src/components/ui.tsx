// Small building blocks shared by the views: a labelled region, buttons, and the focus ring.
import type { ComponentProps, ReactNode } from 'react';

export const focusRing =
  'focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 dark:focus-visible:outline-indigo-400';

/** One view: a region named for assistive technology and for tests ("Chat", "Model", ...). */
export function Panel(props: {
  label: string;
  hint?: ReactNode;
  actions?: ReactNode;
  className?: string;
  bodyClassName?: string;
  children: ReactNode;
}) {
  return (
    <section
      role="region"
      aria-label={props.label}
      className={`flex min-w-0 flex-col rounded-2xl border border-zinc-200 bg-white shadow-sm dark:border-zinc-800 dark:bg-zinc-900 ${props.className ?? ''}`}
    >
      <header className="flex flex-wrap items-center gap-x-3 gap-y-1 border-b border-zinc-100 px-4 py-2.5 dark:border-zinc-800">
        <h2 className="text-sm font-semibold tracking-wide text-zinc-900 uppercase dark:text-zinc-100">{props.label}</h2>
        {props.hint && <div className="min-w-0 text-xs text-zinc-600 dark:text-zinc-400">{props.hint}</div>}
        {props.actions && <div className="ml-auto flex items-center gap-1.5">{props.actions}</div>}
      </header>
      <div className={props.bodyClassName ?? 'p-4'}>{props.children}</div>
    </section>
  );
}

type Variant = 'primary' | 'secondary' | 'ghost' | 'danger';

const variants: Record<Variant, string> = {
  primary:
    'bg-indigo-600 text-white hover:bg-indigo-700 disabled:bg-zinc-300 disabled:text-zinc-600 dark:bg-indigo-600 dark:hover:bg-indigo-500 dark:disabled:bg-zinc-700 dark:disabled:text-zinc-400',
  secondary:
    'border border-zinc-300 bg-white text-zinc-800 hover:bg-zinc-50 disabled:text-zinc-400 dark:border-zinc-700 dark:bg-zinc-800 dark:text-zinc-100 dark:hover:bg-zinc-700 dark:disabled:text-zinc-500',
  ghost:
    'text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 disabled:text-zinc-300 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100 dark:disabled:text-zinc-600',
  danger:
    'bg-rose-600 text-white hover:bg-rose-500 disabled:bg-zinc-300 disabled:text-zinc-500 dark:bg-rose-500 dark:hover:bg-rose-400 dark:disabled:bg-zinc-700 dark:disabled:text-zinc-400',
};

export function Button({
  variant = 'secondary',
  size = 'md',
  className = '',
  ...rest
}: ComponentProps<'button'> & { variant?: Variant; size?: 'sm' | 'md' }) {
  const pad = size === 'sm' ? 'px-2 py-1 text-xs' : 'px-3.5 py-2 text-sm';
  return (
    <button
      type="button"
      className={`inline-flex items-center justify-center gap-1.5 rounded-lg font-medium transition-colors motion-reduce:transition-none disabled:cursor-not-allowed ${pad} ${variants[variant]} ${focusRing} ${className}`}
      {...rest}
    />
  );
}

/** A small spinning ring with a name for assistive technology (role="status"). */
export function Spinner({ label, className = '' }: { label: string; className?: string }) {
  return (
    <span role="status" aria-label={label} title={label} className={`inline-flex items-center ${className}`}>
      <span className="size-3.5 animate-spin rounded-full border-2 border-indigo-500 border-t-transparent motion-reduce:animate-none dark:border-indigo-300 dark:border-t-transparent" />
    </span>
  );
}
