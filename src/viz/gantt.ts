// The pipeline Gantt chart's arithmetic, apart from drawing: micro-batch colours, the time scale, where each
// measured span lands, and the chart as a sentence for screen readers. Stages are rows, time runs left to right
// (GPipe, arXiv:1811.06965 Fig. 2; Llama 3, arXiv:2407.21783 §6.1).
import type { PipelineSpan, PipelineSummary } from '../../workers/api.ts';

/** One hue per micro-batch (up to 8), readable on light and dark backgrounds. */
export const MICRO_BATCH_COLORS = ['#6366f1', '#f59e0b', '#10b981', '#ec4899', '#0ea5e9', '#84cc16', '#f43f5e', '#a855f7'];
export const colorOf = (microBatch: number) => MICRO_BATCH_COLORS[microBatch % MICRO_BATCH_COLORS.length];

/** Round tick steps (1, 2, 5 x 10^k) giving about `count` ticks from 0 to max (`cover`: to the first tick >= max). */
export function timeTicks(max: number, count = 6, cover = false): number[] {
  if (!(max > 0)) return [0];
  const raw = max / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const ticks: number[] = [0];
  while (ticks[ticks.length - 1] < max - step * 1e-9) {
    const t = Number((ticks.length * step).toPrecision(12));
    if (t > max + step * 1e-9 && !cover) break;
    ticks.push(t);
  }
  return ticks;
}

/** "850 ms", "1.2 s". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms === 0) return '0';
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s`;
  return `${ms >= 10 ? ms.toFixed(0) : ms.toFixed(1)} ms`;
}

export const formatPct = (f: number) => (Number.isFinite(f) ? `${(100 * f).toFixed(0)}%` : '–');

export interface GanttBox {
  span: PipelineSpan;
  x: number; // left edge, px
  w: number; // host interval width, px (at least 1)
  busyW: number; // of which the measured busy time (GPU time where measured), px
  y: number; // top of the stage row
  h: number;
}

export interface GanttGeometry {
  width: number; // plot area, px (after the label gutter)
  rowHeight: number;
  rowGap: number;
  endMs: number; // time axis extent
}

/** Where each span lands: x from its start, width from its host interval, the busy part from gpuMs if measured. */
export function layoutSpans(spans: PipelineSpan[], g: GanttGeometry): GanttBox[] {
  const scale = g.endMs > 0 ? g.width / g.endMs : 0;
  return spans.map((span) => {
    const x = span.start * scale;
    const w = Math.max(1, (span.end - span.start) * scale);
    const busyW = span.gpuMs === null ? w : Math.max(1, Math.min(w, span.gpuMs * scale));
    return { span, x, w, busyW, y: span.stage * (g.rowHeight + g.rowGap), h: g.rowHeight };
  });
}

/** The end of the time axis: the latest span end, with a little room. */
export const axisEnd = (spans: PipelineSpan[]) => spans.reduce((m, s) => Math.max(m, s.end), 0) * 1.02;

/** The chart in words: the bubble against GPipe's prediction, then each stage's layers and busy share. */
export function describeRun(s: PipelineSummary): string {
  const stages = s.busyMs.map((b, i) => `stage ${i + 1} (layers ${s.layers[i][0]}–${s.layers[i][1] - 1}) busy ${formatPct(s.makespanMs > 0 ? b / s.makespanMs : 0)}`);
  return `${s.stages} stage${s.stages === 1 ? '' : 's'}, ${s.microBatches} micro-batch${s.microBatches === 1 ? '' : 'es'}: ` +
    `measured bubble ${formatPct(s.bubbleMeasured)} (GPipe predicts ${formatPct(s.bubblePredicted)}) over ${formatMs(s.makespanMs)}; ${stages.join('; ')}.`;
}
