// The next-token distribution as the sampler sees it: softmax(logits / T), then top-k, then top-p (the smallest
// set of the most likely tokens whose probabilities add up to p), renormalized. The same rules, in the same order
// and with the same tie-break, as workers/model/sampler.ts's Sampler.sample, which draws from it; here every
// probability is kept, to be drawn as bars.
import { type SamplingParams, argmax } from '../../../workers/shared.ts';

export interface Distribution {
  /** softmax(logits) at temperature 1: what the model says before any sampling setting. */
  base: Float64Array;
  /** What the sampler draws from: zero for tokens cut by top-k / top-p; sums to 1. */
  final: Float64Array;
  /** Tokens with a chance to be drawn. */
  kept: number;
}

function softmax(logits: Float32Array, temperature: number): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  const p = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += p[i] = Math.exp((logits[i] - max) / temperature);
  for (let i = 0; i < p.length; i++) p[i] /= sum;
  return p;
}

export function samplingDistribution(logits: Float32Array, s: SamplingParams): Distribution {
  const n = logits.length;
  const base = softmax(logits, 1);
  if (s.temperature === 0 || s.topK === 1) {
    const final = new Float64Array(n);
    final[argmax(logits)] = 1;
    return { base, final, kept: 1 };
  }
  const probs = softmax(logits, s.temperature);
  if (s.topK === 0 && s.topP >= 1) return { base, final: probs, kept: n };
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => probs[b] - probs[a] || a - b);
  let keep = s.topK > 0 ? Math.min(s.topK, n) : n;
  let cum = 0;
  for (let i = 0; i < keep; i++) {
    cum += probs[order[i]];
    if (cum >= s.topP) { keep = i + 1; break; }
  }
  let mass = 0;
  for (let i = 0; i < keep; i++) mass += probs[order[i]];
  const final = new Float64Array(n);
  for (let i = 0; i < keep; i++) final[order[i]] = probs[order[i]] / mass;
  return { base, final, kept: keep };
}
