// Chapter 8: pipeline stages (Llama 3 paper §6.1; GPipe). The layers cut into 2 stages, each a worker with its own
// device; the lesson text run once alone (1 micro-batch) and then as 4 micro-batches, both Gantt charts drawn from
// the measured spans, and the bubble formula (p-1)/(m+p-1) beside the measured idle share.
import { useEffect, useRef } from 'react';
import { create } from 'zustand';
import type { PipelineResult } from '../../../workers/api.ts';
import * as client from '../../engine/client.ts';
import { oneLine } from '../../engine/errors.ts';
import { measuresAutomatically, precisionKey } from '../../engine/precision.ts';
import { Button, Spinner } from '../../components/ui.tsx';
import { useEngine } from '../../store/engine.ts';
import { useSession } from '../../store/session.ts';
import { GanttChart, type GanttSource } from '../../viz/GanttChart.tsx';
import { describeRun, formatMs, formatPct } from '../../viz/gantt.ts';
import { formatFigure } from '../../format.ts';
import { useLesson } from '../store.ts';
import { Cite, Figure, Figures, NeedsModel, Prose, SubHeading, TryThis } from '../ui.tsx';

const RUNS = [1, 4];
const TOKENS = 8;

interface Runs { key: string; results: PipelineResult[] }

/** The runs being drawn: filled from the engine's events outside React, drawn by the charts once per frame. */
const sources: GanttSource[] = RUNS.map(() => ({ spans: [], layers: null, version: 0 }));
/** The last finished pair of runs, kept while the lesson moves between chapters. */
const useRuns = create<{ runs: Runs | null; running: boolean; error: { key: string; message: string } | null }>()(() => ({ runs: null, running: false, error: null }));

export function PipelineChapter() {
  const info = useEngine((s) => s.info);
  const loading = useEngine((s) => s.loading);
  const chatting = useSession((s) => s.streamingId !== null);
  const text = useLesson((s) => s.text);
  const { runs, running, error } = useRuns();
  const p = Math.min(2, info?.config.nLayers ?? 2);
  const want = info ? `${info.name}|${precisionKey(info.precision)}|${text}` : null;
  const idle = info !== null && !loading && !chatting && !running;
  const auto = info ? measuresAutomatically(info) : false;

  async function start() {
    if (!want) return;
    useRuns.setState({ running: true, error: null });
    const results: PipelineResult[] = [];
    try {
      for (const [k, m] of RUNS.entries()) {
        const src = sources[k];
        Object.assign(src, { spans: [], layers: null });
        src.version++;
        const prompt = text;
        const r = await client.runPipeline({ prompts: Array.from({ length: m }, () => prompt), stages: p, max_tokens: TOKENS, temperature: 0 }, (events) => {
          for (const e of events) {
            if (e.type === 'start') src.layers = e.layers;
            else if (e.type === 'span') src.spans.push(e.span);
          }
          src.version++;
        });
        Object.assign(src, { spans: r.timeline, layers: r.summary.layers });
        src.version++;
        results.push(r);
      }
      useRuns.setState({ runs: { key: want, results } });
    } catch (e) {
      useRuns.setState({ error: { key: want, message: oneLine(e) } });
    } finally {
      useRuns.setState({ running: false });
    }
  }
  const startRef = useRef(start);
  useEffect(() => {
    startRef.current = start;
  });
  useEffect(() => {
    if (!auto || !idle || !want || runs?.key === want || error?.key === want) return;
    const timer = setTimeout(() => void startRef.current(), 800);
    return () => clearTimeout(timer);
  }, [auto, idle, want, runs?.key, error?.key]);

  if (!info) return <NeedsModel />;
  const fresh = runs?.key === want;
  return (
    <>
      <Prose>
        <p>
          A model too big for one GPU is cut into <b>stages</b>: the first layers on one device, the next on another, and the
          residual stream passes between them. Alone, one sequence keeps only one stage busy at a time: the others wait (the
          <b> bubble</b>). Several sequences (<b>micro-batches</b>) fill the pipe: while stage 2 works on the first, stage 1
          starts the second. With <i>p</i> stages and <i>m</i> micro-batches the idle share is (p−1)/(m+p−1). <Cite>Llama 3 paper, §6.1</Cite>
        </p>
        <p>
          Here the {info.config.nLayers} layers run as {p} stages, each a worker of its own, on the lesson text: once alone,
          then four copies at once, {TOKENS} tokens each.
        </p>
      </Prose>
      <div className="flex flex-wrap items-center gap-2">
        <Button variant={fresh ? 'secondary' : 'primary'} onClick={() => void start()} disabled={!idle}>{fresh ? 'Run again' : 'Run both'}</Button>
        {running && <><Spinner label="Running the pipeline" /><span className="text-sm">Running…</span></>}
        {!auto && !running && <span className="lesson-muted text-xs text-zinc-600 dark:text-zinc-400">A large model runs when you ask.</span>}
        {error && <span role="alert" className="text-sm text-rose-700 dark:text-rose-300">{error.message}</span>}
      </div>
      <div className="grid min-w-0 grid-cols-1 gap-4 xl:grid-cols-2">
        {RUNS.map((m, k) => {
          const r = fresh ? runs!.results[k] : undefined;
          const s = r?.summary;
          return (
            <section key={m} aria-label={`${m} micro-batch${m > 1 ? 'es' : ''}`} className="flex min-w-0 flex-col gap-2 rounded-xl border border-zinc-200 p-3 dark:border-zinc-700" data-testid={`pipeline-m${m}`}>
              <SubHeading>{p} stages × {m} micro-batch{m > 1 ? 'es' : ''}</SubHeading>
              <GanttChart source={sources[k]} stages={p} label={s ? `Gantt chart of the pipeline. ${describeRun(s)}` : `Gantt chart of the pipeline with ${m} micro-batches: not run yet`} />
              {s && (
                <Figures className="!grid-cols-2">
                  <Figure label="Bubble, formula" value={`${formatPct(s.bubblePredicted)}`} note={`(p−1)/(m+p−1) = ${p - 1}/${m + p - 1}`} />
                  <Figure label="Bubble, measured" value={<span data-testid={`pipeline-bubble-m${m}`}>{formatPct(s.bubbleMeasured)}</span>} note={`idle share of ${p} stages over ${formatMs(s.makespanMs)}`} strong />
                  <Figure label="Prompt tokens each" value={<span data-testid={`pipeline-prompt-m${m}`}>{r!.sequences[0].promptTokens.length}</span>} note={`+ ${TOKENS} generated`} />
                  <Figure label="Throughput" value={`${formatFigure(s.totalTokS)} tok/s`} note={m > 1 ? `all ${m} sequences together` : 'one sequence'} />
                </Figures>
              )}
            </section>
          );
        })}
      </div>
      <p className="lesson-muted text-xs text-zinc-600 dark:text-zinc-400">
        Each bar is one stage working on one micro-batch (a colour each); hatched: the prompt (prefill), solid: one new token (decode); grey: idle.
      </p>
      {fresh && (
        <p className="text-sm" data-testid="pipeline-compare">
          Four micro-batches made {formatFigure(runs!.results[1].summary.totalTokS)} tokens per second against {formatFigure(runs!.results[0].summary.totalTokS)} for
          one: {formatFigure(runs!.results[1].summary.totalTokS / runs!.results[0].summary.totalTokS)}× the throughput, measured on the {runs!.results[0].summary.engine === 'webgpu' ? 'WebGPU' : 'CPU'} engine.
        </p>
      )}
      <TryThis>
        Compare the grey gaps in the two charts: with one sequence each stage sits idle while the other works; with four,
        the stages overlap. Where the measured bubble is above the formula, the difference is the time spent passing the stream between workers.
      </TryThis>
    </>
  );
}
