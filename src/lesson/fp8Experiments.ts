// The FP8 chapter's experiments, run on the engine: for each variant of the recipe (math/experiments.ts) switch the
// precision map, measure quality on the lesson's text against the precision the file stores (KL, top-1), and at the
// end switch back to the map that was running. One run at a time; a run asked for meanwhile follows it. While it
// runs the quantization map shows it as pending (its own quality measurement waits).
import { create } from 'zustand';
import type { QualityMetrics } from '../../workers/api.ts';
import * as client from '../engine/client.ts';
import { oneLine } from '../engine/errors.ts';
import { useEngine } from '../store/engine.ts';
import { useQuant } from '../store/quant.ts';
import { experiments } from './math/experiments.ts';

export type ExperimentResult = QualityMetrics & { precision: string; reference: string };

interface ExperimentsState {
  status: 'idle' | 'running' | 'done' | 'cancelled' | 'error';
  /** What the results were measured on (the text and the model with its map); compare with the current one. */
  key: string | null;
  results: Record<string, ExperimentResult>;
  /** The variant being measured (its id). */
  current: string | null;
  error: string | null;
}

export const useExperiments = create<ExperimentsState>()(() => ({ status: 'idle', key: null, results: {}, current: null, error: null }));

let running = false;
let next: { text: string; key: string } | null = null;
let cancelled = false;

/** Measures every variant on `text` (now, or after the run in progress). */
export function requestExperiments(text: string, key: string): void {
  if (running) {
    next = { text, key };
    return;
  }
  void run(text, key);
}

export function cancelExperiments(): void {
  if (!running) return;
  cancelled = true;
  next = null;
  client.stop().catch(() => {});
}

async function run(text: string, key: string): Promise<void> {
  const info = useEngine.getState().info;
  if (!info) return;
  running = true;
  cancelled = false;
  const before = info.precision;
  useExperiments.setState({ status: 'running', key, results: {}, current: null, error: null });
  useQuant.setState({ pending: 'FP8 experiments (lesson)' });
  try {
    for (const x of experiments(info.config.nLayers)) {
      if (cancelled) break;
      useExperiments.setState({ current: x.id });
      await client.setPrecision(x.map);
      const q = await client.quality(text, () => {});
      useExperiments.setState((s) => ({ results: { ...s.results, [x.id]: q } }));
    }
    useExperiments.setState({ status: cancelled ? 'cancelled' : 'done', current: null });
  } catch (e) {
    const message = oneLine(e);
    useExperiments.setState({ status: /^cancelled\b/i.test(message) || cancelled ? 'cancelled' : 'error', error: message, current: null });
  } finally {
    try {
      useEngine.setState({ info: await client.setPrecision(before) }); // the map that ran before, as it was
    } catch (e) {
      useEngine.setState({ error: `Could not switch back after the FP8 experiments: ${oneLine(e)}` });
    }
    useQuant.setState({ pending: null });
    running = false;
    const queued = next;
    next = null;
    if (queued) void run(queued.text, queued.key);
  }
}
