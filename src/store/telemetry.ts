// Live generation figures, kept outside React: engine events write here, the Throughput view reads it from
// requestAnimationFrame. `version` bumps on every write so a view redraws only when something changed.
// Finished runs (one per answer) are kept too, with the precision they ran under: the speed of each precision
// and the export read them. Views that list runs subscribe with `subscribeRuns` (one update per answer, not per token).
import type { EngineEvent, FinishReason, Usage } from '../../workers/api.ts';
import { latencyPercentiles } from '../viz/percentile.ts';
import { RingBuffer } from './ringBuffer.ts';

/** The model and precision map a run used: `key` is the map's URL encoding (a preset name, or the compact map). */
export interface RunPrecision {
  model: string;
  key: string;
  label: string; // the preset, or "custom 1", "custom 2" …
  weightBytes: number;
}

export interface Telemetry {
  /** Per-token decode time in ms (from token events, the first token excluded), newest last. */
  tokenMs: RingBuffer;
  /** Every decode time of the current run (the ring keeps only the newest), for exact percentiles and the export. */
  runMs: number[];
  precision: RunPrecision | null;
  generating: boolean;
  startedAt: number; // performance.now() when the request was sent
  firstTokenAt: number | null;
  prefillTokens: number;
  prefillMs: number;
  tokens: number; // generated so far
  decodeMs: number; // sum of token ms
  /** The engine's own figures once the request is done (they replace the live estimates). */
  usage: Usage | null;
  version: number;
}

export const telemetry: Telemetry = {
  tokenMs: new RingBuffer(240),
  runMs: [],
  precision: null,
  generating: false,
  startedAt: 0,
  firstTokenAt: null,
  prefillTokens: 0,
  prefillMs: 0,
  tokens: 0,
  decodeMs: 0,
  usage: null,
  version: 0,
};

/** One finished answer: the engine's usage, its latencies and the precision it ran under. */
export interface RunRecord {
  run: number;
  at: string; // ISO time the answer finished
  model: string;
  precision: string; // the map's URL encoding
  label: string;
  weightBytes: number;
  finish: FinishReason;
  promptTokens: number;
  prefillTokens: number;
  prefillMs: number;
  prefillTokS: number;
  ttftMs: number;
  decodeTokens: number;
  decodeMs: number;
  decodeTokS: number;
  itlP50Ms: number;
  itlP95Ms: number;
  /** Decode time of each token after the first, ms. */
  tokenMs: number[];
}

const MAX_RUNS = 100;
export const runs: RunRecord[] = [];
let runsVersion = 0;
const listeners = new Set<() => void>();

/** For useSyncExternalStore: views that list runs re-render once per finished answer. */
export function subscribeRuns(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
export const getRunsVersion = () => runsVersion;

export function beginTelemetry(precision: RunPrecision | null): void {
  Object.assign(telemetry, {
    precision,
    generating: true,
    startedAt: performance.now(),
    firstTokenAt: null,
    prefillTokens: 0,
    prefillMs: 0,
    tokens: 0,
    decodeMs: 0,
    usage: null,
    runMs: [],
  });
  telemetry.tokenMs.clear();
  telemetry.version++;
}

export function recordEvents(events: EngineEvent[]): void {
  for (const e of events) {
    if (e.type === 'prefill') {
      telemetry.prefillTokens = e.tokens;
      telemetry.prefillMs = e.ms;
    } else if (e.type === 'token') {
      if (e.id < 0) continue; // text held back for a stop string, flushed at the end: not a token
      telemetry.firstTokenAt ??= performance.now();
      telemetry.tokens++;
      // The first token comes from the prefill's logits (its time is the time to first token); decode speed
      // counts the tokens after it, as the engine's usage does.
      if (telemetry.tokens === 1) continue;
      telemetry.decodeMs += e.ms;
      telemetry.tokenMs.push(e.ms);
      telemetry.runMs.push(e.ms);
    } else if (e.type === 'done') {
      telemetry.usage = e.usage;
    }
  }
  telemetry.version++;
}

export function endTelemetry(usage: Usage | null, finish: FinishReason = 'error'): void {
  telemetry.generating = false;
  if (usage) telemetry.usage = usage;
  telemetry.version++;
  if (!usage || !telemetry.precision) return;
  const p = telemetry.precision;
  const { p50, p95 } = latencyPercentiles(telemetry.runMs);
  runs.push({
    run: (runs.at(-1)?.run ?? 0) + 1,
    at: new Date().toISOString(),
    model: p.model,
    precision: p.key,
    label: p.label,
    weightBytes: p.weightBytes,
    finish,
    promptTokens: usage.prompt_tokens,
    prefillTokens: usage.prefill_tokens,
    prefillMs: usage.prefill_ms,
    prefillTokS: usage.prefill_tok_s,
    ttftMs: usage.ttft_ms,
    decodeTokens: usage.decode_tokens,
    decodeMs: usage.decode_ms,
    decodeTokS: usage.decode_tok_s,
    itlP50Ms: p50,
    itlP95Ms: p95,
    tokenMs: telemetry.runMs.slice(),
  });
  if (runs.length > MAX_RUNS) runs.splice(0, runs.length - MAX_RUNS);
  runsVersion++;
  for (const fn of listeners) fn();
}

/** Decode and prefill speed of each model and precision over every run that used them: summed tokens over summed time. */
export interface PrecisionSpeed {
  model: string;
  precision: string;
  label: string;
  weightBytes: number;
  runs: number;
  decodeTokens: number;
  decodeTokS: number;
  prefillTokens: number;
  prefillTokS: number;
}

export function speedsByPrecision(list: readonly RunRecord[] = runs): PrecisionSpeed[] {
  const by = new Map<string, PrecisionSpeed & { decodeMs: number; prefillMs: number }>();
  for (const r of list) {
    const key = `${r.model}\n${r.precision}`;
    const s = by.get(key) ?? {
      model: r.model, precision: r.precision, label: r.label, weightBytes: r.weightBytes, runs: 0,
      decodeTokens: 0, decodeMs: 0, decodeTokS: NaN, prefillTokens: 0, prefillMs: 0, prefillTokS: NaN,
    };
    s.runs++;
    s.decodeTokens += r.decodeTokens;
    s.decodeMs += r.decodeMs;
    s.prefillTokens += r.prefillTokens;
    s.prefillMs += r.prefillMs;
    by.set(key, s);
  }
  return [...by.values()].map(({ decodeMs, prefillMs, ...s }) => ({
    ...s,
    decodeTokS: decodeMs > 0 ? (1000 * s.decodeTokens) / decodeMs : NaN,
    prefillTokS: prefillMs > 0 ? (1000 * s.prefillTokens) / prefillMs : NaN,
  }));
}

/** The figures the Throughput view prints: the engine's usage when done, live estimates while streaming. */
export interface Figures {
  decodeTokS: number;
  ttftMs: number;
  prefillTokS: number;
  tokens: number;
}

export function currentFigures(t: Telemetry = telemetry): Figures {
  if (t.usage) {
    return {
      decodeTokS: t.usage.decode_tok_s,
      ttftMs: t.usage.ttft_ms,
      prefillTokS: t.usage.prefill_tok_s,
      tokens: t.usage.completion_tokens,
    };
  }
  const recentMs = t.tokenMs.meanOfLast(16);
  return {
    decodeTokS: recentMs > 0 ? 1000 / recentMs : NaN,
    ttftMs: t.firstTokenAt === null ? NaN : t.firstTokenAt - t.startedAt,
    prefillTokS: t.prefillMs > 0 ? (t.prefillTokens * 1000) / t.prefillMs : NaN,
    tokens: t.tokens,
  };
}
