// GPU time per layer and per kernel: on demand, the engine times every dispatch of one decode step and one prefill
// chunk with timestamp queries (client.profile). Two charts: each kernel type summed over the layers (bars with ms
// and % of the step) and each layer stacked by kernel group (embedding and head apart), plus the same in a
// sentence. A profile belongs to the model and the precision it ran under; after a switch, Profile measures again
// and the step times of the precisions measured so far are listed side by side. The CPU engine has no GPU
// timestamps: its one-line answer is shown instead of numbers.
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { ProfileResult } from '../../workers/api.ts';
import { isCpuAdapter } from '../../workers/shared.ts';
import * as client from '../engine/client.ts';
import { oneLine } from '../engine/errors.ts';
import { precisionKey, precisionLabel } from '../engine/precision.ts';
import { useEngine } from '../store/engine.ts';
import { useQuant } from '../store/quant.ts';
import { useSession } from '../store/session.ts';
import { timeTicks } from '../viz/gantt.ts';
import {
  byGroup, byKernel, byLayer, describeProfile, formatKernelMs, formatShare, groupInfo, totalMs,
  type ProfileBar, type ProfilePhase,
} from '../viz/kernelProfile.ts';
import { Button, Spinner } from './ui.tsx';

/** One profile, with the model load (quant epoch) and the precision it was measured under. */
interface Measured {
  epoch: number;
  key: string;
  label: string;
  adapter: string | null;
  result: ProfileResult;
}

export function KernelProfile() {
  const info = useEngine((s) => s.info);
  const loading = useEngine((s) => s.loading !== null);
  const generating = useSession((s) => s.streamingId !== null);
  const pending = useQuant((s) => s.pending);
  const epoch = useQuant((s) => s.epoch);
  const [running, setRunning] = useState(false);
  const [measured, setMeasured] = useState<Measured[]>([]); // one per precision, newest last
  const [message, setMessage] = useState<{ epoch: number; text: string } | null>(null);
  const [phase, setPhase] = useState<ProfilePhase>('decode');
  const statusId = useId();

  const mine = measured.filter((m) => m.epoch === epoch); // a new model starts with no profile
  const last = mine.at(-1) ?? null;
  const currentKey = info ? precisionKey(info.precision) : null;
  const blocked = !info ? 'Load a model first.' : loading ? 'Waiting for the model to load.'
    : generating ? 'Waiting for the answer to finish.' : pending ? 'Waiting for the precision switch.' : null;

  async function run() {
    setRunning(true);
    setMessage(null);
    try {
      const result = await client.profile();
      const now = useEngine.getState().info!; // the engine runs one call at a time: this is the map it ran under
      const m: Measured = { epoch: useQuant.getState().epoch, key: precisionKey(now.precision), label: precisionLabel(now.precision), adapter: now.adapter, result };
      setMeasured((list) => [...list.filter((x) => x.epoch === m.epoch && x.key !== m.key), m]);
    } catch (e) {
      const text = oneLine(e);
      setMessage({ epoch: useQuant.getState().epoch, text });
    } finally {
      setRunning(false);
    }
  }

  const times = last ? last.result[phase] : [];
  const L = info?.config.nLayers ?? 0;
  return (
    <section aria-labelledby="profile-title" className="mt-4 border-t border-zinc-100 pt-3 dark:border-zinc-800" data-testid="kernel-profile">
      <div className="flex items-center gap-2">
        <h3 id="profile-title" className="text-xs font-semibold tracking-wide text-zinc-600 uppercase dark:text-zinc-400">
          GPU time per layer and per kernel
        </h3>
        {running && <Spinner label="Profiling" />}
        <Button size="sm" className="ml-auto" onClick={() => void run()} disabled={blocked !== null || running} aria-describedby={statusId}>
          Profile
        </Button>
      </div>
      <p id={statusId} className="mt-1 text-[0.7rem] text-zinc-600 dark:text-zinc-400" aria-live="polite">
        {running ? 'Profiling: one compute pass per kernel…'
          : (blocked ?? (last ? '' : 'Times each kernel of one decode step and one prefill chunk on the GPU (timestamp queries).'))}
      </p>
      {message && message.epoch === epoch && (
        <p role="status" data-testid="profile-message" className="mt-2 rounded-lg border border-dashed border-zinc-300 px-3 py-2 text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-300">
          {message.text}
        </p>
      )}
      {last && (
        <div className="mt-2 flex flex-col gap-2">
          <p className="text-xs text-zinc-600 dark:text-zinc-400">
            Measured under <span className="font-mono font-semibold text-zinc-900 dark:text-zinc-100" data-testid="profile-precision">{last.label}</span>
            {last.adapter ? ` on ${last.adapter}` : ''}.{' '}
            {last.key !== currentKey && info && (
              <span className="font-medium text-amber-700 dark:text-amber-400" data-testid="profile-stale">
                The precision is now {precisionLabel(info.precision)}: press Profile to measure it.
              </span>
            )}
          </p>
          <div role="group" aria-label="Which forward to show" className="inline-flex self-start rounded-lg border border-zinc-200 p-0.5 dark:border-zinc-700">
            {(['decode', 'prefill'] as const).map((p) => (
              <Button key={p} size="sm" variant={phase === p ? 'primary' : 'ghost'} aria-pressed={phase === p} onClick={() => setPhase(p)}>
                {p === 'decode' ? 'Decode step' : `Prefill (${last.result.prefillTokens} tokens)`}
              </Button>
            ))}
          </div>
          <p className="text-xs text-zinc-700 dark:text-zinc-300" data-testid="profile-summary">
            {describeProfile(phase, times, phase === 'decode' ? 1 : last.result.prefillTokens)}
          </p>
          <Figure title={`Per kernel, summed over ${L} layers`}>
            <KernelBars bars={byKernel(times)} />
          </Figure>
          <Figure title="Per layer, ms (embedding and head apart)">
            <LayerColumns bars={byLayer(times)} />
          </Figure>
          <Legend times={times} />
          {mine.length > 1 && <Compare measured={mine} phase={phase} />}
          <p className="text-[0.7rem] text-zinc-600 dark:text-zinc-400">
            Each kernel runs in a compute pass of its own between two timestamps, so the sum is a little more than a
            real forward, which encodes all of them in one pass.
            {last.adapter && isCpuAdapter(last.adapter) && ' This adapter emulates the GPU on the CPU, where times vary a lot from run to run: profile again to see how much they move.'}
          </p>
        </div>
      )}
    </section>
  );
}

function Figure({ title, children }: { title: string; children: ReactNode }) {
  return (
    <figure className="min-w-0">
      <figcaption className="mb-1 text-[0.7rem] font-medium text-zinc-600 dark:text-zinc-400">{title}</figcaption>
      {children}
    </figure>
  );
}

/** The width of an element, from a ResizeObserver (0 until it first reports). */
function useWidth() {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const ro = new ResizeObserver(([e]) => setWidth(Math.floor(e.contentRect.width)));
    ro.observe(ref.current!);
    return () => ro.disconnect();
  }, []);
  return [ref, width] as const;
}

const fill = (b: { group: ProfileBar['group'] }) => groupInfo(b.group).color;
const ROW = 17, NAME = 76, VALUE = 98;

/** Horizontal bars, one per kernel type, scaled to the largest; labelled with ms and % of the step. */
function KernelBars({ bars }: { bars: ProfileBar[] }) {
  const [ref, width] = useWidth();
  const plot = Math.max(16, width - NAME - VALUE);
  const max = Math.max(0, ...bars.map((b) => b.ms));
  const label = `Time per kernel: ${bars.map((b) => `${b.key} ${formatKernelMs(b.ms)} (${formatShare(b.share)})`).join(', ')}`;
  return (
    <div ref={ref} className="text-zinc-700 dark:text-zinc-300" style={{ minHeight: bars.length * ROW }}>
      {width > 0 && (
        <svg width={width} height={bars.length * ROW} role="img" aria-label={label} data-testid="profile-kernels" className="block">
          {bars.map((b, i) => (
            <g key={b.key} transform={`translate(0 ${i * ROW})`} data-kernel={b.key} data-ms={b.ms}>
              <title>{`${b.key} (${groupInfo(b.group).name}): ${formatKernelMs(b.ms)}${b.count > 1 ? ` over ${b.count} dispatches` : ''}, ${formatShare(b.share)} of the step`}</title>
              <text x={NAME - 6} y={ROW / 2} dominantBaseline="central" textAnchor="end" fontSize="11" className="font-mono" fill="currentColor">{b.label}</text>
              <rect x={NAME} y={3} width={plot} height={ROW - 6} rx="2" fill="currentColor" opacity="0.06" />
              <rect x={NAME} y={3} width={max > 0 ? Math.max(b.ms > 0 ? 1 : 0, (plot * b.ms) / max) : 0} height={ROW - 6} rx="2" fill={fill(b)} />
              <text x={width - 2} y={ROW / 2} dominantBaseline="central" textAnchor="end" fontSize="10" className="tabular-nums" fill="currentColor">
                {formatKernelMs(b.ms)} · {formatShare(b.share)}
              </text>
            </g>
          ))}
        </svg>
      )}
    </div>
  );
}

const H = 150, AXIS = 30, TOP = 14, BOTTOM = 16;

/** Columns, one per layer, stacked by kernel group; the embedding and the head stand apart at the ends. */
function LayerColumns({ bars }: { bars: ProfileBar[] }) {
  const [ref, width] = useWidth();
  const n = bars.length;
  const pitch = Math.max(1, (width - AXIS) / (n + 1)); // half a slot of extra gap after the embedding and before the head
  const colW = Math.max(2, Math.min(36, pitch * 0.7));
  const xOf = (i: number) => AXIS + pitch * (i + 0.5 + (i >= 1 ? 0.5 : 0) + (i === n - 1 && n > 1 ? 0.5 : 0));
  const ticks = timeTicks(Math.max(0, ...bars.map((b) => b.ms)), 3, true);
  const yMax = ticks[ticks.length - 1] || 1;
  const plotH = H - TOP - BOTTOM;
  const y = (ms: number) => TOP + plotH - (plotH * ms) / yMax;
  const every = Math.ceil(18 / pitch); // thin out the layer numbers when columns are narrow
  const label = `Time per layer: ${bars.map((b) => `${b.key === 'embedding' || b.key === 'head' ? b.key : `layer ${b.label}`} ${formatKernelMs(b.ms)}`).join(', ')}`;
  return (
    <div ref={ref} className="text-zinc-700 dark:text-zinc-300" style={{ minHeight: H }}>
      {width > 0 && (
        <svg width={width} height={H} role="img" aria-label={label} data-testid="profile-layers" className="block">
          <g fontSize="10" fill="currentColor">
            {ticks.map((t) => (
              <g key={t} opacity="0.7">
                <line x1={AXIS} x2={width} y1={y(t)} y2={y(t)} stroke="currentColor" opacity="0.15" />
                <text x={AXIS - 4} y={y(t)} dominantBaseline="central" textAnchor="end" className="tabular-nums">{Number(t.toPrecision(6))}</text>
              </g>
            ))}
          </g>
          {bars.map((b, i) => {
            let acc = 0;
            const x = xOf(i) - colW / 2;
            const layer = b.key.startsWith('L');
            return (
              <g key={b.key} data-layer={b.key} data-ms={b.ms}>
                <title>{`${layer ? `Layer ${b.label}` : b.key === 'head' ? 'Final norm and head' : 'Embedding'}: ${formatKernelMs(b.ms)}, ${formatShare(b.share)} of the step — ` +
                  b.parts.map((p) => `${groupInfo(p.group).name} ${formatKernelMs(p.ms)}`).join(', ')}</title>
                {b.parts.map((p) => {
                  const top = y(acc + p.ms), bottom = y(acc);
                  acc += p.ms;
                  return <rect key={p.group} x={x} y={top} width={colW} height={Math.max(0, bottom - top)} fill={groupInfo(p.group).color} />;
                })}
                {pitch >= 34 && (
                  <text x={xOf(i)} y={y(b.ms) - 3} textAnchor="middle" fontSize="9" fill="currentColor" opacity="0.8" className="tabular-nums">
                    {formatKernelMs(b.ms).replace(' ms', '')}
                  </text>
                )}
                {(!layer || Number(b.label) % every === 0) && (
                  <text x={xOf(i)} y={H - 3} textAnchor="middle" fontSize="10" fill="currentColor" className={layer ? 'tabular-nums' : ''}>{b.label}</text>
                )}
              </g>
            );
          })}
        </svg>
      )}
    </div>
  );
}

/** The kernel groups with their colour and share of the step: the charts' key, and the same figures as text. */
function Legend({ times }: { times: ProfileResult['decode'] }) {
  return (
    <ul className="flex flex-wrap gap-x-3 gap-y-1 text-[0.7rem] text-zinc-600 dark:text-zinc-400" aria-label="Kernel groups">
      {byGroup(times).map((g) => (
        <li key={g.group} className="flex items-center gap-1">
          <span aria-hidden="true" className="inline-block size-2.5 rounded-sm text-zinc-700 dark:text-zinc-300" style={{ backgroundColor: groupInfo(g.group).color }} />
          {g.name} <span className="tabular-nums">{formatShare(g.share)}</span>
        </li>
      ))}
    </ul>
  );
}

/** The step's GPU time under each precision profiled on this model, newest last. */
function Compare({ measured, phase }: { measured: Measured[]; phase: ProfilePhase }) {
  const top = Math.max(0, ...measured.map((m) => totalMs(m.result[phase])));
  const title = `${phase === 'decode' ? 'Decode step' : 'Prefill chunk'} GPU time by precision`;
  return (
    <Figure title={title}>
      <ul className="flex flex-col gap-1" aria-label={title} data-testid="profile-compare">
        {measured.map((m) => {
          const ms = totalMs(m.result[phase]);
          return (
            <li key={m.key} className="grid grid-cols-[6.5rem_minmax(0,1fr)_4.5rem] items-center gap-2 text-xs" aria-label={`${m.label}: ${formatKernelMs(ms)}`}>
              <span className="truncate font-mono text-zinc-600 dark:text-zinc-400" title={m.key}>{m.label}</span>
              <span className="h-2 overflow-hidden rounded-full bg-zinc-100 dark:bg-zinc-800" aria-hidden="true">
                <span className="block h-full rounded-full bg-indigo-600 dark:bg-indigo-400" style={{ width: `${top > 0 ? (100 * ms) / top : 0}%` }} />
              </span>
              <span className="text-right text-zinc-900 tabular-nums dark:text-zinc-100">{formatKernelMs(ms)}</span>
            </li>
          );
        })}
      </ul>
    </Figure>
  );
}
