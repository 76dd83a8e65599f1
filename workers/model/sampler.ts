// Choosing the next token from logits: greedy, temperature, top-k, top-p (nucleus, Holtzman et al. 2019), with a
// seeded generator so the same seed gives the same output on every engine. Also OpenAI-style logprobs.

/** mulberry32: a small, fast, seedable PRNG with good statistical quality for sampling. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SamplingParams {
  temperature: number; // 0: greedy
  topK: number; // 0: off
  topP: number; // 1: off
}

export function argmax(logits: Float32Array): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}

export class Sampler {
  private readonly random: () => number;
  private order = new Int32Array(0);
  private probs = new Float32Array(0);

  constructor(private readonly p: SamplingParams, seed: number) {
    if (!(p.temperature >= 0)) throw new Error(`temperature must be >= 0, got ${p.temperature}`);
    if (!(p.topP > 0 && p.topP <= 1)) throw new Error(`top_p must be in (0, 1], got ${p.topP}`);
    if (!(Number.isInteger(p.topK) && p.topK >= 0)) throw new Error(`top_k must be a whole number >= 0, got ${p.topK}`);
    this.random = mulberry32(seed);
  }

  sample(logits: Float32Array): number {
    const { temperature, topK, topP } = this.p;
    if (temperature === 0 || topK === 1) return argmax(logits);
    const n = logits.length;
    if (this.probs.length !== n) { this.probs = new Float32Array(n); this.order = new Int32Array(n); }
    // softmax(logits / T)
    let max = -Infinity;
    for (let i = 0; i < n; i++) if (logits[i] > max) max = logits[i];
    let sum = 0;
    for (let i = 0; i < n; i++) { const e = Math.exp((logits[i] - max) / temperature); this.probs[i] = e; sum += e; }
    for (let i = 0; i < n; i++) this.probs[i] /= sum;
    if (topK === 0 && topP >= 1) return this.pick(n, 1, (i) => i);
    // candidates sorted by probability, cut by top-k then by cumulative top-p
    const order = this.order;
    for (let i = 0; i < n; i++) order[i] = i;
    const probs = this.probs;
    const sorted = Array.from(order).sort((a, b) => probs[b] - probs[a] || a - b);
    let keep = topK > 0 ? Math.min(topK, n) : n;
    let cum = 0;
    for (let i = 0; i < keep; i++) { cum += probs[sorted[i]]; if (cum >= topP) { keep = i + 1; break; } }
    let mass = 0;
    for (let i = 0; i < keep; i++) mass += probs[sorted[i]];
    return this.pick(keep, mass, (i) => sorted[i]);
  }

  /** Inverse-CDF draw over candidates idx(0..count) whose probabilities add up to `mass`. */
  private pick(count: number, mass: number, idx: (i: number) => number): number {
    const r = this.random() * mass;
    let cdf = 0;
    for (let i = 0; i < count; i++) { cdf += this.probs[idx(i)]; if (r < cdf) return idx(i); }
    return idx(count - 1);
  }
}

/** log-softmax at temperature 1 of one token, plus the k most likely alternatives (OpenAI `logprobs`). */
export function logprobsOf(logits: Float32Array, token: number, k: number): { logprob: number; top: { token: number; logprob: number }[] } {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  const lse = max + Math.log(sum);
  const top: { token: number; logprob: number }[] = [];
  if (k > 0) {
    // partial selection: keep the k best in a small sorted list
    for (let i = 0; i < logits.length; i++) {
      if (top.length === k && logits[i] <= top[k - 1].logprob) continue;
      let j = top.length < k ? top.length : k - 1;
      if (top.length < k) top.push({ token: i, logprob: logits[i] });
      while (j > 0 && top[j - 1].logprob < logits[i]) { top[j] = top[j - 1]; j--; }
      top[j] = { token: i, logprob: logits[i] };
    }
    for (const t of top) t.logprob -= lse;
  }
  return { logprob: logits[token] - lse, top };
}
