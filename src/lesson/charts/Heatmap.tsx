// An attention pattern as a heatmap: row i is the query token, column j the key token, the shade the weight
// (rows sum to 1; the upper triangle is the future, which a causal model never sees). Hover or move the cell cursor
// with the arrow keys (the heatmap is one tab stop) to read a cell: query token, key token, weight.
import { useState } from 'react';
import { focusRing } from '../../components/ui.tsx';
import { useCanvas } from './useCanvas.ts';

/** Weight -> opacity: a square root, so weak but real attention stays visible next to a strong one. */
export const shade = (w: number) => Math.sqrt(Math.max(0, Math.min(1, w)));
const HUE = '79 70 229'; // indigo-600

export interface HeatmapProps {
  values: Float32Array; // n x n, row-major
  n: number;
  labels: string[]; // token labels, one per position
  label: string; // what the picture shows, for screen readers
  /** Large: labelled axes, hover and keyboard reading. Small: a thumbnail. */
  size: 'large' | 'small';
  testId?: string;
}

export function Heatmap(props: HeatmapProps) {
  const { values, n, labels, size } = props;
  const large = size === 'large';
  const gutter = large ? Math.min(96, 8 + 7 * Math.max(...labels.map((l) => Math.min(l.length, 12)), 1)) : 0;
  const [cursor, setCursor] = useState<[number, number] | null>(null);
  const ref = useCanvas((ctx, w, _h, ink) => {
    const cell = (w - gutter) / n;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const x = gutter + j * cell, y = gutter + i * cell;
        if (j > i) {
          ctx.fillStyle = ink;
          ctx.globalAlpha = 0.05;
        } else {
          ctx.fillStyle = `rgb(${HUE})`;
          ctx.globalAlpha = 0.04 + 0.96 * shade(values[i * n + j]);
        }
        ctx.fillRect(x, y, Math.max(1, cell - (cell > 6 ? 1 : 0)), Math.max(1, cell - (cell > 6 ? 1 : 0)));
      }
    }
    ctx.globalAlpha = 1;
    if (large && cell >= 9) {
      ctx.fillStyle = ink;
      ctx.font = `${Math.min(12, cell - 1)}px ui-monospace, monospace`;
      ctx.textBaseline = 'middle';
      ctx.textAlign = 'right';
      for (let i = 0; i < n; i++) ctx.fillText(clip(labels[i]), gutter - 4, gutter + (i + 0.5) * cell);
      ctx.textAlign = 'left';
      for (let j = 0; j < n; j++) {
        ctx.save();
        ctx.translate(gutter + (j + 0.5) * cell, gutter - 4);
        ctx.rotate(-Math.PI / 2);
        ctx.fillText(clip(labels[j]), 0, 0);
        ctx.restore();
      }
    }
    if (cursor) {
      const [i, j] = cursor;
      ctx.strokeStyle = ink;
      ctx.lineWidth = 2;
      ctx.strokeRect(gutter + j * cell + 1, gutter + i * cell + 1, Math.max(2, cell - 2), Math.max(2, cell - 2));
    }
  }, [values, n, labels.join('\u0000'), gutter, cursor]);

  if (!large) {
    return <canvas ref={ref} role="img" aria-label={props.label} className="block aspect-square w-full text-zinc-800 dark:text-zinc-200" data-testid={props.testId} />;
  }

  const read = cursor ? `query ${cursor[0]} “${labels[cursor[0]]}” → key ${cursor[1]} “${labels[cursor[1]]}”: weight ${cursor[1] > cursor[0] ? '0 (the future is masked)' : values[cursor[0] * n + cursor[1]].toFixed(3)}` : null;
  const cellAt = (e: React.MouseEvent<HTMLCanvasElement>): [number, number] | null => {
    const r = e.currentTarget.getBoundingClientRect();
    const cell = (r.width - gutter) / n;
    const i = Math.floor((e.clientY - r.top - gutter) / cell), j = Math.floor((e.clientX - r.left - gutter) / cell);
    return i >= 0 && j >= 0 && i < n && j < n ? [i, j] : null;
  };
  const onKey = (e: React.KeyboardEvent) => {
    const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const m = moves[e.key];
    if (!m) return;
    e.preventDefault();
    const [i, j] = cursor ?? [n - 1, 0];
    setCursor([clamp(i + m[0], n), clamp(j + m[1], n)]);
  };
  return (
    <div className="flex flex-col gap-1" data-own-keys>
      <canvas
        ref={ref}
        role="img"
        tabIndex={0}
        aria-roledescription="heatmap"
        aria-label={`${props.label} Arrow keys move a cell cursor; the weight under it is read out below.`}
        onMouseMove={(e) => setCursor(cellAt(e))}
        onMouseLeave={() => setCursor(null)}
        onKeyDown={onKey}
        onFocus={() => setCursor((c) => c ?? [n - 1, 0])}
        title={read ?? ''}
        className={`block aspect-square w-full cursor-crosshair rounded text-zinc-800 dark:text-zinc-200 ${focusRing}`}
        data-testid={props.testId}
      />
      <p aria-live="polite" className="lesson-muted min-h-5 text-xs text-zinc-600 tabular-nums dark:text-zinc-400" data-testid="heatmap-readout">
        {read ?? 'Hover a cell (or focus the heatmap and use the arrow keys) to read its weight.'}
      </p>
    </div>
  );
}

const clamp = (v: number, n: number) => Math.max(0, Math.min(n - 1, v));
const clip = (s: string) => (s.length > 12 ? `${s.slice(0, 11)}…` : s);
