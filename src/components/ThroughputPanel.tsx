// Live speed of generation. The figures change every frame, so they are written into the DOM from
// requestAnimationFrame (telemetry ring buffers), not through React state. Decode reads every weight once per
// token, so tok/s x weight bytes is the memory bandwidth the engine achieves. Inter-token latency percentiles
// come from the per-token `ms` of the token events (the first token, sampled from the prefill, left out).
// GPU time per layer and per kernel is measured on demand (KernelProfile), not per token.
import { useEffect, useRef } from 'react';
import { useEngine } from '../store/engine.ts';
import { useRemote } from '../store/remote.ts';
import { currentFigures, telemetry } from '../store/telemetry.ts';
import { formatBytes, formatFigure, formatInt } from '../format.ts';
import { latencyPercentiles } from '../viz/percentile.ts';
import { Sparkline } from '../viz/Sparkline.tsx';
import { KernelProfile } from './KernelProfile.tsx';
import { MemoryByPrecision } from './MemoryByPrecision.tsx';
import { Panel } from './ui.tsx';

const FIGURES = [
  { key: 'decode', label: 'Decode', unit: 'tok/s' },
  { key: 'ttft', label: 'First token', unit: 'ms' },
  { key: 'prefill', label: 'Prefill', unit: 'tok/s' },
  { key: 'tokens', label: 'Tokens', unit: 'generated' },
  { key: 'p50', label: 'Inter-token p50', unit: 'ms' },
  { key: 'p95', label: 'Inter-token p95', unit: 'ms' },
] as const;

export function ThroughputPanel() {
  const weightBytes = useEngine((s) => s.info?.weightBytes ?? 0);
  const cells = useRef<Record<string, HTMLElement | null>>({});
  const bandwidth = useRef<HTMLElement | null>(null);
  const runPrecision = useRef<HTMLElement | null>(null);

  useEffect(() => {
    let frame = 0;
    let drawn = -1;
    const tick = () => {
      frame = requestAnimationFrame(tick);
      if (telemetry.version === drawn) return;
      drawn = telemetry.version;
      const f = currentFigures();
      const itl = latencyPercentiles(telemetry.runMs); // one sort of this answer's token times, on change only
      const text: Record<string, string> = {
        decode: formatFigure(f.decodeTokS),
        ttft: formatFigure(f.ttftMs),
        prefill: formatFigure(f.prefillTokS),
        tokens: formatInt(f.tokens),
        p50: formatFigure(itl.p50),
        p95: formatFigure(itl.p95),
      };
      for (const k of Object.keys(text)) {
        const el = cells.current[k];
        if (el && el.textContent !== text[k]) el.textContent = text[k];
      }
      if (runPrecision.current) runPrecision.current.textContent = telemetry.precision ? `under ${telemetry.precision.label}` : '';
      if (bandwidth.current) {
        // the weights of the map the answer ran under; a remote answer's are the server's, unknown here
        const bytes = telemetry.precision?.weightBytes ?? (useRemote.getState().connected ? 0 : weightBytes);
        bandwidth.current.textContent = bytes > 0 && Number.isFinite(f.decodeTokS) ? `${formatBytes(f.decodeTokS * bytes)}/s` : '–';
      }
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [weightBytes]);

  return (
    <Panel label="Throughput" hint={<span ref={runPrecision} className="font-mono" data-testid="run-precision" />}>
      <dl className="grid grid-cols-2 gap-2.5">
        {FIGURES.map((f) => (
          <div key={f.key} className="min-w-0 rounded-xl bg-zinc-50 px-3 py-2 dark:bg-zinc-800/60">
            <dt className="truncate text-xs text-zinc-600 dark:text-zinc-400">{f.label}</dt>
            <dd className="flex items-baseline gap-1">
              <span
                ref={(el) => {
                  cells.current[f.key] = el;
                }}
                data-testid={`figure-${f.key}`}
                className="text-2xl font-semibold text-zinc-900 tabular-nums dark:text-zinc-50"
              >
                –
              </span>
              <span className="text-xs text-zinc-600 dark:text-zinc-400">{f.unit}</span>
            </dd>
          </div>
        ))}
      </dl>
      <div className="mt-3 rounded-xl border border-zinc-100 p-2 dark:border-zinc-800">
        <Sparkline label="Decode speed of each token, tokens per second" className="text-indigo-600 dark:text-indigo-400" />
      </div>
      <p className="mt-2 text-xs text-zinc-600 dark:text-zinc-400">
        Weights read: <span ref={bandwidth} className="font-medium text-zinc-700 tabular-nums dark:text-zinc-300">–</span>{' '}
        <span className="hidden sm:inline">(decode reads every weight once per token)</span>
      </p>
      <MemoryByPrecision />
      <KernelProfile />
    </Panel>
  );
}
