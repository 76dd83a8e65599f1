// The pipeline bubble: the share of stage-time spent idle. GPipe (Huang et al. 2019, arXiv:1811.06965 §2.2): a
// wave of m micro-batches through p stages takes m + p - 1 stage-slots, so each stage idles (p - 1)/(m + p - 1) of
// them — negligible once m >= 4p. Llama 3 (arXiv:2407.21783 §6.1, Fig. 24) trades that latency for throughput.
// Here the prediction meets the measurement: 1 - busy / (p x makespan) over the spans the stages report.
import type { PipelineSpan } from '../api.ts';

/** GPipe's bubble fraction for p stages and m micro-batches. */
export const predictedBubble = (p: number, m: number): number => (p - 1) / (m + p - 1);

/** Steady decode: a sequence's next token needs its previous one to cross all p stages, so at most m stages work. */
export const decodeBubble = (p: number, m: number): number => Math.max(0, 1 - m / p);

/** A span's busy time: GPU time where timestamp queries measured it, else the host time around the work. */
export const busyOf = (s: PipelineSpan): number => s.gpuMs ?? s.end - s.start;

export interface BubbleMeasure {
  makespanMs: number; // first start to last end
  busyMs: number[]; // per stage
  bubble: number; // 1 - sum(busy) / (p x makespan)
}

export function measureBubble(timeline: PipelineSpan[], p: number): BubbleMeasure {
  const busyMs = new Array<number>(p).fill(0);
  let t0 = Infinity, t1 = -Infinity;
  for (const s of timeline) {
    busyMs[s.stage] += busyOf(s);
    t0 = Math.min(t0, s.start);
    t1 = Math.max(t1, s.end);
  }
  const makespanMs = timeline.length ? t1 - t0 : 0;
  const busy = busyMs.reduce((a, b) => a + b, 0);
  const bubble = makespanMs > 0 ? Math.min(1, Math.max(0, 1 - busy / (p * makespanMs))) : 0;
  return { makespanMs, busyMs, bubble };
}

/** One sequence as the latency figures see it (ms from the start of the run). */
export interface SequenceTimes {
  promptTokens: number;
  tokens: number; // generated
  firstTokenMs: number | null;
  lastTokenMs: number | null;
}

export interface Throughput {
  totalTokS: number; // generated tokens / wall time
  prefillTokS: number; // prompt tokens / time until every sequence had its first token
  decodeTokS: number; // tokens after the first / the span in which they were generated
  ttftMs: number; // mean time to first token
  tpotMs: number; // mean time per output token after the first
}

export function throughput(seqs: SequenceTimes[], wallMs: number): Throughput {
  const firsts = seqs.filter((s) => s.firstTokenMs !== null);
  const decoding = seqs.filter((s) => s.tokens >= 2 && s.firstTokenMs !== null && s.lastTokenMs !== null);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const rate = (n: number, ms: number) => (ms > 0 ? (1000 * n) / ms : 0);
  const allFirst = Math.max(0, ...firsts.map((s) => s.firstTokenMs!));
  const decodeSpan = decoding.length
    ? Math.max(...decoding.map((s) => s.lastTokenMs!)) - Math.min(...decoding.map((s) => s.firstTokenMs!))
    : 0;
  return {
    totalTokS: rate(seqs.reduce((a, s) => a + s.tokens, 0), wallMs),
    prefillTokS: rate(firsts.reduce((a, s) => a + s.promptTokens, 0), allFirst),
    decodeTokS: rate(decoding.reduce((a, s) => a + s.tokens - 1, 0), decodeSpan),
    ttftMs: mean(firsts.map((s) => s.firstTokenMs!)),
    tpotMs: mean(decoding.map((s) => (s.lastTokenMs! - s.firstTokenMs!) / (s.tokens - 1))),
  };
}
