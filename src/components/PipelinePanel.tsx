// Pipeline stages: the loaded model's layers cut into 1..8 contiguous stages, each in its own worker with its own
// device, the prompts flowing through them as micro-batches (Llama 3 paper, arXiv:2407.21783 §6.1; GPipe,
// arXiv:1811.06965). The Gantt chart shows what each stage did and when, the bubble is measured against
// (p-1)/(m+p-1), and a sweep over m = 1, 2, 4, 8 draws the paper's Fig. 24 for this model on this machine.
import { useEffect, useId, useRef, useState } from 'react';
import type { PipelineResult, PipelineSummary } from '../../workers/api.ts';
import * as client from '../engine/client.ts';
import { oneLine } from '../engine/errors.ts';
import { useEngine } from '../store/engine.ts';
import { useSession } from '../store/session.ts';
import { PIPELINE_URL_KEYS, useSettings } from '../store/settings.ts';
import { GanttChart, type GanttSource } from '../viz/GanttChart.tsx';
import { GanttSweepPlot } from '../viz/GanttSweepPlot.tsx';
import { MICRO_BATCH_COLORS, describeRun, formatMs, formatPct } from '../viz/gantt.ts';
import { formatFigure } from '../format.ts';
import { Button, Panel, focusRing } from './ui.tsx';

const PROMPTS = ['Once upon a time', 'Lily went to the park', 'Tom had a big red ball', 'One day, a little bird',
  'The cat sat on the mat', 'Sam and his dog', 'There was a small boat', 'Mia loved to paint'];
const SWEEP = [1, 2, 4, 8];
const TOKENS = [16, 32, 64, 128];
const selectClass = `rounded-lg border border-zinc-300 bg-white px-2 py-1.5 text-sm text-zinc-900 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100 ${focusRing}`;

/** The run being drawn: filled from the engine's events outside React, drawn by the chart once per frame. */
const source: GanttSource = { spans: [], layers: null, version: 0 };

/** The stage and micro-batch counts live in the URL (?stages=&mb=, keys reserved in store/settings.ts), beside the other settings. */
function fromUrl(key: string, fallback: number, max: number): number {
  const v = Number(typeof location === 'undefined' ? NaN : new URLSearchParams(location.search).get(key));
  return Number.isInteger(v) && v >= 1 ? Math.min(v, max) : fallback;
}
function toUrl(stages: number, microBatches: number) {
  const q = new URLSearchParams(location.search);
  q.set(PIPELINE_URL_KEYS.stages, String(stages));
  q.set(PIPELINE_URL_KEYS.microBatches, String(microBatches));
  history.replaceState(history.state, '', `${location.pathname}?${q}${location.hash}`);
}

export function PipelinePanel() {
  const info = useEngine((s) => s.info);
  const loading = useEngine((s) => s.loading);
  const chatting = useSession((s) => s.streamingId !== null);
  const maxP = Math.max(1, Math.min(8, info?.config.nLayers ?? 8));
  const [stagesWanted, setStages] = useState(() => fromUrl(PIPELINE_URL_KEYS.stages, 2, 8));
  const [microBatches, setMicroBatches] = useState(() => fromUrl(PIPELINE_URL_KEYS.microBatches, 4, 8));
  const [maxTokens, setMaxTokens] = useState(32);
  const [promptText, setPromptText] = useState(PROMPTS.join('\n'));
  const [running, setRunning] = useState<null | 'run' | 'sweep'>(null);
  const [result, setResult] = useState<PipelineResult | null>(null);
  const [sweep, setSweep] = useState<PipelineSummary[]>([]);
  const [error, setError] = useState<string | null>(null);
  const cancelled = useRef(false);
  const ids = { stages: useId(), mb: useId(), tokens: useId(), prompts: useId() };
  const stages = Math.min(stagesWanted, maxP);
  const chartStages = result && !running ? result.summary.stages : stages; // the last run until the next one starts

  useEffect(() => toUrl(stages, microBatches), [stages, microBatches]);
  useEffect(() => { Object.assign(source, { spans: [], layers: null }); source.version++; }, []); // a fresh panel draws no stale run

  async function execute(m: number): Promise<PipelineResult> {
    const lines = promptText.split('\n').map((l) => l.trim()).filter(Boolean);
    const prompts = Array.from({ length: m }, (_, j) => (lines.length ? lines[j % lines.length] : PROMPTS[j]));
    const s = useSettings.getState().sampling;
    Object.assign(source, { spans: [], layers: null });
    source.version++;
    const r = await client.runPipeline(
      { prompts, stages, max_tokens: maxTokens, temperature: s.temperature, top_k: s.topK, top_p: s.topP, seed: s.seed },
      (events) => {
        for (const e of events) {
          if (e.type === 'start') source.layers = e.layers;
          else if (e.type === 'span') source.spans.push(e.span);
        }
        source.version++;
      },
    );
    Object.assign(source, { spans: r.timeline, layers: r.summary.layers });
    source.version++;
    setResult(r);
    return r;
  }

  async function start(kind: 'run' | 'sweep') {
    setRunning(kind);
    setError(null);
    cancelled.current = false;
    try {
      if (kind === 'run') {
        await execute(microBatches);
      } else {
        const runs: PipelineSummary[] = [];
        setSweep([]);
        for (const m of SWEEP) {
          if (cancelled.current) break;
          runs.push((await execute(m)).summary);
          setSweep([...runs]);
        }
      }
    } catch (e) {
      setError(oneLine(e));
    } finally {
      setRunning(null);
    }
  }

  const stop = () => {
    cancelled.current = true;
    client.stop().catch(() => {});
  };

  const idle = info !== null && loading === null && !chatting && running === null;
  const s = result?.summary;
  return (
    <Panel label="Pipeline stages" hint="Llama 3 §6.1: layers cut into stages, one device each; prompts as micro-batches" className="2xl:col-span-2">
      <div className="flex flex-wrap items-end gap-3">
        <Picker id={ids.stages} label="Stages (p)" value={stages} options={range(maxP)} onChange={setStages} disabled={running !== null} />
        <Picker id={ids.mb} label="Micro-batches (m)" value={microBatches} options={range(8)} onChange={setMicroBatches} disabled={running !== null} />
        <Picker id={ids.tokens} label="Tokens each" value={maxTokens} options={TOKENS} onChange={setMaxTokens} disabled={running !== null} />
        <div className="flex flex-wrap gap-2">
          <Button variant="primary" onClick={() => void start('run')} disabled={!idle}>Run</Button>
          <Button onClick={() => void start('sweep')} disabled={!idle} title="Runs m = 1, 2, 4, 8 with these stages">Sweep m = 1, 2, 4, 8</Button>
          {running && <Button variant="danger" onClick={stop}>Stop</Button>}
        </div>
        <p className="min-w-0 text-xs text-zinc-600 dark:text-zinc-400" aria-live="polite">
          {running === 'sweep' ? `Sweeping: run ${sweep.length + 1} of ${SWEEP.length}…` : running ? 'Running…' : !info ? 'Load a model first.' : chatting ? 'Waiting for the chat to finish.' : ''}
        </p>
      </div>
      <details className="mt-2 text-sm">
        <summary className={`cursor-pointer text-xs text-zinc-600 dark:text-zinc-400 ${focusRing}`}>Prompts: one per micro-batch, reused in turn when there are fewer lines</summary>
        <label htmlFor={ids.prompts} className="sr-only">Prompts, one per line</label>
        <textarea id={ids.prompts} value={promptText} onChange={(e) => setPromptText(e.target.value)} rows={4}
          className={`mt-1 w-full rounded-lg border border-zinc-300 bg-white p-2 font-mono text-xs dark:border-zinc-700 dark:bg-zinc-950 ${focusRing}`} />
      </details>
      {error && <p role="alert" className="mt-2 rounded-lg bg-rose-50 px-3 py-2 text-sm text-rose-800 dark:bg-rose-500/10 dark:text-rose-300">{error}</p>}

      <div className="mt-3 overflow-hidden rounded-xl border border-zinc-100 p-2 dark:border-zinc-800">
        <GanttChart source={source} stages={chartStages} label={s ? `Gantt chart of the pipeline. ${describeRun(s)}` : 'Gantt chart of the pipeline: no run yet'} />
      </div>
      <Legend m={s?.microBatches ?? microBatches} gpuTiming={s?.timing === 'gpu'} />

      {s && (
        <>
          <dl className="mt-3 grid grid-cols-2 gap-2 sm:grid-cols-4">
            <Figure label="Bubble, measured" value={formatPct(s.bubbleMeasured)} note={`1 − busy / (${s.stages} × ${formatMs(s.makespanMs)})`} strong />
            <Figure label="Bubble, GPipe" value={formatPct(s.bubblePredicted)} note={`(p−1)/(m+p−1) = ${s.stages - 1}/${s.microBatches + s.stages - 1}`} />
            <Figure label="Throughput" value={`${formatFigure(s.totalTokS)} tok/s`} note={`${s.microBatches} sequence${s.microBatches === 1 ? '' : 's'} together`} />
            <Figure label="Latency" value={formatMs(s.ttftMs)} note={`first token; then ${formatMs(s.tpotMs)} per token`} />
          </dl>
          <p className="mt-2 text-xs text-zinc-600 dark:text-zinc-400">{describeRun(s)}</p>
          <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
            Busy time is {s.timing === 'gpu' ? 'GPU time from timestamp queries' : 'host time around each stage’s work'} on the{' '}
            {s.engine === 'webgpu' ? 'WebGPU' : 'CPU'} engine{s.setupMs > 0 ? `; setting up the stages took ${formatMs(s.setupMs)}` : ''}.
            {s.microBatches < s.stages && ` In steady decode a token must cross every stage before its sequence’s next one starts, so with m < p at least ${formatPct(s.bubbleDecode)} of stage time idles, however the work overlaps.`}
            {s.notice && ` ${s.notice}`}
          </p>
          <details className="mt-2 text-sm">
            <summary className={`cursor-pointer text-xs text-zinc-600 dark:text-zinc-400 ${focusRing}`}>Outputs (the same for any number of stages)</summary>
            <ol className="mt-1 flex flex-col gap-1">
              {result!.sequences.map((q, j) => (
                <li key={j} className="flex gap-2 text-xs">
                  <span className="mt-1 size-2.5 shrink-0 rounded-sm" style={{ background: MICRO_BATCH_COLORS[j] }} aria-hidden="true" />
                  <span className="min-w-0"><span className="font-semibold">{q.prompt}</span>{q.text}</span>
                </li>
              ))}
            </ol>
          </details>
        </>
      )}

      <h3 className="mt-4 text-xs font-semibold tracking-wide text-zinc-700 uppercase dark:text-zinc-300">Throughput vs latency (Fig. 24), p = {stages}</h3>
      <GanttSweepPlot runs={sweep} />
    </Panel>
  );
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

function Picker(props: { id: string; label: string; value: number; options: number[]; onChange: (v: number) => void; disabled: boolean }) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={props.id} className="text-xs font-medium text-zinc-600 dark:text-zinc-400">{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(Number(e.target.value))} disabled={props.disabled} className={selectClass}>
        {props.options.map((o) => <option key={o} value={o}>{o}</option>)}
      </select>
    </div>
  );
}

function Figure({ label, value, note, strong }: { label: string; value: string; note: string; strong?: boolean }) {
  return (
    <div className="rounded-xl bg-zinc-50 px-3 py-2 dark:bg-zinc-800/60">
      <dt className="text-xs text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className={`text-xl font-semibold tabular-nums ${strong ? 'text-indigo-700 dark:text-indigo-300' : 'text-zinc-900 dark:text-zinc-50'}`}>{value}</dd>
      <dd className="text-[0.7rem] text-zinc-600 dark:text-zinc-400">{note}</dd>
    </div>
  );
}

function Legend({ m, gpuTiming }: { m: number; gpuTiming: boolean }) {
  const hatch = 'bg-[image:repeating-linear-gradient(45deg,transparent_0_2px,rgba(255,255,255,.6)_2px_4px)]';
  return (
    <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-zinc-600 dark:text-zinc-400" aria-label="Legend">
      {MICRO_BATCH_COLORS.slice(0, m).map((c, j) => (
        <li key={c} className="flex items-center gap-1.5">
          <span className="size-2.5 rounded-sm" style={{ background: c }} aria-hidden="true" />
          micro-batch {j + 1}
        </li>
      ))}
      <li className="flex items-center gap-1.5"><span className={`size-2.5 rounded-sm bg-zinc-500 ${hatch}`} aria-hidden="true" />prefill (hatched)</li>
      <li className="flex items-center gap-1.5"><span className="size-2.5 rounded-sm bg-zinc-500" aria-hidden="true" />decode</li>
      {gpuTiming && <li className="flex items-center gap-1.5"><span className="size-2.5 rounded-sm bg-zinc-500/30" aria-hidden="true" />host overhead beyond GPU time</li>}
      <li className="flex items-center gap-1.5"><span className="size-2.5 rounded-sm bg-zinc-500/10 ring-1 ring-zinc-400/30" aria-hidden="true" />idle (bubble)</li>
    </ul>
  );
}
