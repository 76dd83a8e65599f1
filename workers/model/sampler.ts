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
    // The candidates sorted by probability (then by id), cut by top-k then by cumulative top-p. Sorting the whole
    // vocabulary for that costs more than the rest of a token on a 128K vocabulary, so only a prefix of that order is
    // built: top-p can only keep tokens of probability >= (1 - p) / (n - 1) (all the others add up to less than 1 - p;
    // llama2.c's sample_topp makes the same cut), and of those top-k needs only its k best.
    const limit = topK > 0 ? Math.min(topK, n) : n;
    const floor = topP < 1 ? (1 - topP) / (n - 1) : 0;
    const count = topK > 0 ? this.best(limit, floor) : this.above(floor);
    const kept = this.nucleus(this.order, count, limit, topP);
    // The prefix ran out before reaching p (possible only through rounding at the cut, or for p < 1/n): sort it all.
    if (kept === null) return this.sampleSorted(limit, topP);
    let mass = 0;
    for (let i = 0; i < kept; i++) mass += this.probs[this.order[i]];
    return this.pick(kept, mass, (i) => this.order[i]);
  }

  /** How many of the first `count` sorted candidates top-p keeps, or null when `count` ends before p is reached
   * while the full order would go on (then the prefix is not enough to say). */
  private nucleus(sorted: Int32Array, count: number, limit: number, topP: number): number | null {
    let cum = 0;
    for (let i = 0; i < count; i++) { cum += this.probs[sorted[i]]; if (cum >= topP) return i + 1; }
    return count === limit ? limit : null;
  }

  /** The tokens of probability >= floor into `order`, sorted; returns how many. */
  private above(floor: number): number {
    const { probs, order } = this;
    let count = 0;
    for (let i = 0; i < probs.length; i++) if (probs[i] >= floor) order[count++] = i;
    order.subarray(0, count).sort((a, b) => probs[b] - probs[a] || a - b);
    return count;
  }

  /** The k most likely tokens of probability >= floor into `order`, sorted, in one pass over the vocabulary (a new
   * token goes in by binary search; ties keep the lower id first, as the full sort does); returns how many. */
  private best(k: number, floor: number): number {
    const { probs, order } = this;
    let count = 0;
    for (let i = 0; i < probs.length; i++) {
      const p = probs[i];
      if (p < floor || (count === k && p <= probs[order[k - 1]])) continue;
      let lo = 0, hi = count; // the first place whose probability is below p
      while (lo < hi) { const mid = (lo + hi) >> 1; if (probs[order[mid]] >= p) lo = mid + 1; else hi = mid; }
      order.copyWithin(lo + 1, lo, count === k ? k - 1 : count);
      order[lo] = i;
      if (count < k) count++;
    }
    return count;
  }

  /** The cut over the whole vocabulary sorted: the definition the prefix above must agree with. */
  private sampleSorted(limit: number, topP: number): number {
    const { probs, order } = this;
    for (let i = 0; i < probs.length; i++) order[i] = i;
    order.sort((a, b) => probs[b] - probs[a] || a - b);
    const kept = this.nucleus(order, limit, limit, topP)!;
    let mass = 0;
    for (let i = 0; i < kept; i++) mass += probs[order[i]];
    return this.pick(kept, mass, (i) => order[i]);
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
