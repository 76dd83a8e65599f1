// The pipeline as it ran: one row per stage, one bar per (micro-batch, step) from the host clock around the
// stage's work, coloured by micro-batch, hatched for prefill. Where GPU timestamps measured the work, the solid
// part of a bar is GPU time and the faint rest is host overhead (upload, readback). Spans stream in while the run
// goes, so the canvas is drawn from requestAnimationFrame out of a mutable source, never through React state.
import { useEffect, useRef } from 'react';
import type { PipelineSpan } from '../../workers/api.ts';
import { axisEnd, colorOf, formatMs, layoutSpans, timeTicks, type GanttBox } from './gantt.ts';

/** Filled by the panel as events arrive; bump `version` after each change. */
export interface GanttSource {
  spans: PipelineSpan[];
  layers: [number, number][] | null;
  version: number;
}

const GUTTER = 76; // stage labels
const ROW = 24;
const GAP = 6;
const AXIS = 20;

export const ganttHeight = (stages: number) => stages * (ROW + GAP) + AXIS;

export function GanttChart({ source, stages, label }: { source: GanttSource; stages: number; label: string }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const boxes = useRef<GanttBox[]>([]);

  useEffect(() => {
    const canvas = canvasRef.current!;
    const ctx = canvas.getContext('2d')!;
    let frame = 0, drawn = -1, size = '', drawnStages = 0;
    const draw = () => {
      frame = requestAnimationFrame(draw);
      const w = canvas.clientWidth, h = canvas.clientHeight, dpr = window.devicePixelRatio || 1;
      const key = `${w}x${h}@${dpr}`;
      if (source.version === drawn && key === size && stages === drawnStages) return;
      drawnStages = stages;
      drawn = source.version;
      if (key !== size) {
        size = key;
        canvas.width = Math.max(1, Math.round(w * dpr));
        canvas.height = Math.max(1, Math.round(h * dpr));
      }
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, w, h);
      const ink = getComputedStyle(canvas).color; // follows the theme
      ctx.font = '11px ui-sans-serif, system-ui, sans-serif';
      ctx.textBaseline = 'middle';

      const endMs = axisEnd(source.spans);
      const plot = Math.max(10, w - GUTTER - 8);
      for (let s = 0; s < stages; s++) {
        const y = s * (ROW + GAP);
        ctx.fillStyle = ink;
        ctx.globalAlpha = 0.06;
        ctx.fillRect(GUTTER, y, plot, ROW); // idle: the bubble
        ctx.globalAlpha = 0.85;
        ctx.fillText(`Stage ${s + 1}`, 4, y + ROW / 2 - 5);
        const l = source.layers?.[s];
        ctx.globalAlpha = 0.55;
        if (l) ctx.fillText(l[1] - l[0] === 1 ? `L${l[0]}` : `L${l[0]}–${l[1] - 1}`, 4, y + ROW / 2 + 7);
      }
      boxes.current = layoutSpans(source.spans, { width: plot, rowHeight: ROW, rowGap: GAP, endMs });
      for (const b of boxes.current) {
        const x = GUTTER + b.x;
        ctx.fillStyle = colorOf(b.span.microBatch);
        ctx.globalAlpha = 0.3;
        ctx.fillRect(x, b.y, b.w, b.h); // host interval
        ctx.globalAlpha = 1;
        ctx.fillRect(x, b.y, b.busyW, b.h); // measured busy time
        if (b.span.phase === 'prefill') hatch(ctx, x, b.y, b.w, b.h);
      }
      // time axis
      ctx.globalAlpha = 0.6;
      ctx.fillStyle = ink;
      ctx.textBaseline = 'top';
      const axisY = stages * (ROW + GAP);
      for (const t of timeTicks(endMs)) {
        const x = GUTTER + (endMs > 0 ? (t / endMs) * plot : 0);
        ctx.fillRect(x, axisY - 3, 1, 3);
        ctx.textAlign = t === 0 ? 'left' : 'center';
        ctx.fillText(formatMs(t), x, axisY + 2);
      }
      ctx.textAlign = 'left';
      ctx.globalAlpha = 1;
      if (source.spans.length === 0) {
        ctx.globalAlpha = 0.5;
        ctx.textBaseline = 'middle';
        ctx.fillText('Run the pipeline: each stage’s work appears here as it happens', GUTTER + 8, Math.min(axisY / 2, ROW / 2));
        ctx.globalAlpha = 1;
      }
    };
    frame = requestAnimationFrame(draw);
    return () => cancelAnimationFrame(frame);
  }, [source, stages]);

  // the span under the pointer, as a native tooltip
  const onMove = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const x = e.clientX - r.left - GUTTER, y = e.clientY - r.top;
    const b = boxes.current.find((q) => x >= q.x && x <= q.x + q.w && y >= q.y && y <= q.y + q.h);
    const s = b?.span;
    e.currentTarget.title = s
      ? `stage ${s.stage + 1}, micro-batch ${s.microBatch + 1}, ${s.phase} ${s.phase === 'prefill' ? `chunk ${s.step + 1} (${s.rows} tokens)` : `token ${s.step + 1}`}: ` +
        `${formatMs(s.end - s.start)} host${s.gpuMs === null ? '' : `, ${formatMs(s.gpuMs)} GPU`}`
      : '';
  };

  return (
    <canvas
      ref={canvasRef}
      role="img"
      aria-label={label}
      onMouseMove={onMove}
      className="block w-full text-zinc-800 dark:text-zinc-200"
      style={{ height: ganttHeight(stages) }}
    />
  );
}

/** Diagonal stripes over a prefill bar. */
function hatch(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number) {
  ctx.save();
  ctx.beginPath();
  ctx.rect(x, y, w, h);
  ctx.clip();
  ctx.strokeStyle = 'rgba(255,255,255,0.55)';
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  for (let i = -h; i < w; i += 5) {
    ctx.moveTo(x + i, y + h);
    ctx.lineTo(x + i + h, y);
  }
  ctx.stroke();
  ctx.restore();
}
