// Throughput against latency over micro-batch counts, measured on the loaded model: the Llama 3 paper's Fig. 24
// (arXiv:2407.21783 §6.1). More micro-batches keep more stages busy (more tok/s) but each sequence waits for the
// others at every stage (longer time to first token, longer time per token). One point per run of the sweep.
import type { PipelineSummary } from '../../workers/api.ts';
import { formatMs, timeTicks } from './gantt.ts';

const W = 320, H = 210, L = 46, R = 26, T = 12, B = 36;

interface Series {
  title: string;
  x: (s: PipelineSummary) => number; // latency, ms
  y: (s: PipelineSummary) => number; // tok/s
  xLabel: string;
}

const SERIES: Series[] = [
  { title: 'Prefill', x: (s) => s.ttftMs, y: (s) => s.prefillTokS, xLabel: 'time to first token' },
  { title: 'Decode', x: (s) => s.tpotMs, y: (s) => s.decodeTokS, xLabel: 'time per output token' },
];

export function GanttSweepPlot({ runs }: { runs: PipelineSummary[] }) {
  return (
    <div className="grid max-w-3xl grid-cols-1 gap-3 sm:grid-cols-2">
      {SERIES.map((series) => <Plot key={series.title} series={series} runs={runs} />)}
    </div>
  );
}

function Plot({ series, runs }: { series: Series; runs: PipelineSummary[] }) {
  const pts = runs.map((s) => ({ m: s.microBatches, x: series.x(s), y: series.y(s) })).filter((p) => p.x > 0 && p.y > 0);
  const xTicks = timeTicks(Math.max(1, ...pts.map((p) => p.x)) * 1.1, 4, true);
  const yTicks = timeTicks(Math.max(1, ...pts.map((p) => p.y)) * 1.1, 4, true);
  const xMax = xTicks[xTicks.length - 1], yMax = yTicks[yTicks.length - 1];
  const sx = (v: number) => L + (v / xMax) * (W - L - R);
  const sy = (v: number) => H - B - (v / yMax) * (H - T - B);
  const summary = `${series.title} throughput against ${series.xLabel}: ` +
    (pts.length ? pts.map((p) => `m=${p.m}: ${p.y.toFixed(0)} tok/s at ${formatMs(p.x)}`).join('; ') : 'no runs yet');
  return (
    <figure className="min-w-0">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary} className="h-auto w-full text-zinc-700 dark:text-zinc-300">
        <g fill="currentColor" fontSize="10" opacity="0.75">
          {xTicks.map((t) => (
            <g key={`x${t}`}>
              <line x1={sx(t)} x2={sx(t)} y1={T} y2={H - B} stroke="currentColor" opacity="0.12" />
              <text x={sx(t)} y={H - B + 13} textAnchor="middle">{formatMs(t)}</text>
            </g>
          ))}
          {yTicks.map((t) => (
            <g key={`y${t}`}>
              <line x1={L} x2={W - R} y1={sy(t)} y2={sy(t)} stroke="currentColor" opacity="0.12" />
              <text x={L - 5} y={sy(t) + 3} textAnchor="end">{t >= 1000 ? `${t / 1000}k` : t}</text>
            </g>
          ))}
          <text x={(L + W - R) / 2} y={H - 6} textAnchor="middle">{series.xLabel}</text>
          <text x={12} y={(T + H - B) / 2} textAnchor="middle" transform={`rotate(-90 12 ${(T + H - B) / 2})`}>tok/s</text>
        </g>
        {pts.length > 1 && (
          <polyline points={pts.map((p) => `${sx(p.x)},${sy(p.y)}`).join(' ')} fill="none" stroke="currentColor" strokeWidth="1.5" opacity="0.45" />
        )}
        {pts.map((p) => (
          <g key={p.m}>
            <circle cx={sx(p.x)} cy={sy(p.y)} r="4.5" className="fill-indigo-600 stroke-white dark:fill-indigo-400 dark:stroke-zinc-900" strokeWidth="1" />
            <text x={sx(p.x) + 7} y={sy(p.y) - 6} fontSize="10" fill="currentColor">m={p.m}</text>
          </g>
        ))}
        {pts.length === 0 && <text x={W / 2} y={H / 2 - 10} textAnchor="middle" fontSize="11" fill="currentColor" opacity="0.5">run the sweep</text>}
      </svg>
      <figcaption className="text-center text-xs font-medium text-zinc-600 dark:text-zinc-400">{series.title}: throughput vs latency</figcaption>
    </figure>
  );
}
