import { describe, expect, test } from 'vitest';
import { argmax, logprobsOf, mulberry32, Sampler, type SamplingParams } from '../../workers/model/sampler.ts';

/** The sampler as first written: the whole vocabulary sorted for every top-k / top-p draw. The fast one must draw the
 * very same tokens from the same seed (the candidates in the same order, the same sums). */
function sortingSampler(p: SamplingParams, seed: number): (logits: Float32Array) => number {
  const random = mulberry32(seed);
  return (logits) => {
    if (p.temperature === 0 || p.topK === 1) return argmax(logits);
    const n = logits.length;
    const probs = new Float32Array(n);
    let max = -Infinity;
    for (let i = 0; i < n; i++) if (logits[i] > max) max = logits[i];
    let sum = 0;
    for (let i = 0; i < n; i++) { const e = Math.exp((logits[i] - max) / p.temperature); probs[i] = e; sum += e; }
    for (let i = 0; i < n; i++) probs[i] /= sum;
    const sorted = p.topK === 0 && p.topP >= 1 ? Array.from({ length: n }, (_, i) => i)
      : Array.from({ length: n }, (_, i) => i).sort((a, b) => probs[b] - probs[a] || a - b);
    let keep = p.topK > 0 ? Math.min(p.topK, n) : n;
    let cum = 0;
    if (!(p.topK === 0 && p.topP >= 1)) for (let i = 0; i < keep; i++) { cum += probs[sorted[i]]; if (cum >= p.topP) { keep = i + 1; break; } }
    let mass = 0;
    for (let i = 0; i < keep; i++) mass += probs[sorted[i]];
    const r = random() * mass;
    let cdf = 0;
    for (let i = 0; i < keep; i++) { cdf += probs[sorted[i]]; if (r < cdf) return sorted[i]; }
    return sorted[keep - 1];
  };
}

/** Seeded logits of one of several shapes: spread, peaked, tied (few distinct values), with -Infinity holes. */
function logitsOf(n: number, shape: 'spread' | 'peaked' | 'tied' | 'holes', seed: number): Float32Array {
  const r = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  return Float32Array.from({ length: n }, (_, i) => {
    if (shape === 'peaked') return i % 97 === 3 ? 12 + gauss() : gauss();
    if (shape === 'tied') return Math.round(gauss() * 2) / 2;
    if (shape === 'holes') return r() < 0.3 ? -Infinity : 3 * gauss();
    return 3 * gauss();
  });
}

const logits = new Float32Array([1, 3, 2, 0.5, 2.9, -1]);

describe('sampler', () => {
  test('temperature 0 is greedy', () => {
    const s = new Sampler({ temperature: 0, topK: 0, topP: 1 }, 1);
    expect(s.sample(logits)).toBe(1);
    expect(argmax(logits)).toBe(1);
  });

  test('the same seed gives the same draws; another seed differs', () => {
    const draw = (seed: number) => { const s = new Sampler({ temperature: 1.5, topK: 0, topP: 1 }, seed); return Array.from({ length: 50 }, () => s.sample(logits)); };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  test('top-k keeps only the k most likely tokens', () => {
    const s = new Sampler({ temperature: 5, topK: 2, topP: 1 }, 3);
    const seen = new Set(Array.from({ length: 300 }, () => s.sample(logits)));
    expect([...seen].sort()).toEqual([1, 4]);
  });

  test('top-p keeps the smallest set reaching p', () => {
    // probabilities at T=1: token 1 and 4 dominate; p = 0.5 keeps token 1 only (its mass is ~0.38 < 0.5, so 4 joins)
    const s = new Sampler({ temperature: 1, topK: 0, topP: 0.5 }, 4);
    const seen = new Set(Array.from({ length: 300 }, () => s.sample(logits)));
    expect([...seen].sort()).toEqual([1, 4]);
  });

  test('top-k and top-p draw the same tokens as sorting the whole vocabulary (ties, -Infinity, p below 1/n, k above n)', () => {
    let cases = 0;
    for (const n of [1, 2, 7, 300, 2048]) {
      for (const shape of ['spread', 'peaked', 'tied', 'holes'] as const) {
        const logits = logitsOf(n, shape, n * 31 + shape.length);
        for (const temperature of [0.3, 0.8, 1.7]) {
          for (const topK of [0, 2, 40, 200, n, n + 5]) {
            for (const topP of [0.0001, 0.05, 0.5, 0.9, 0.999, 1]) {
              const p = { temperature, topK, topP };
              const fast = new Sampler(p, cases), slow = sortingSampler(p, cases);
              for (let d = 0; d < 6; d++) expect(fast.sample(logits), `n ${n} ${shape} T ${temperature} k ${topK} p ${topP}`).toBe(slow(logits));
              cases++;
            }
          }
        }
      }
    }
    expect(cases).toBe(5 * 4 * 3 * 6 * 6);
  });

  test('a 128K vocabulary draws as the full sort does, with the UI defaults', () => {
    const logits = logitsOf(128256, 'spread', 11);
    for (const p of [{ temperature: 0.8, topK: 40, topP: 0.9 }, { temperature: 0.8, topK: 0, topP: 0.9 }, { temperature: 1, topK: 0, topP: 0.999 }]) {
      const fast = new Sampler(p, 5), slow = sortingSampler(p, 5);
      for (let d = 0; d < 3; d++) expect(fast.sample(logits)).toBe(slow(logits));
    }
  });

  test('sampling frequencies follow softmax(logits / T)', () => {
    const l = new Float32Array([0, Math.log(3)]); // p = 0.25, 0.75
    const s = new Sampler({ temperature: 1, topK: 0, topP: 1 }, 5);
    let ones = 0;
    for (let i = 0; i < 4000; i++) ones += s.sample(l);
    expect(ones / 4000).toBeGreaterThan(0.72);
    expect(ones / 4000).toBeLessThan(0.78);
  });

  test('bad parameters are clear errors', () => {
    expect(() => new Sampler({ temperature: -1, topK: 0, topP: 1 }, 1)).toThrow(/temperature/);
    expect(() => new Sampler({ temperature: 1, topK: 0, topP: 0 }, 1)).toThrow(/top_p/);
    expect(() => new Sampler({ temperature: 1, topK: 1.5, topP: 1 }, 1)).toThrow(/top_k/);
  });

  test('logprobs are a log-softmax with the best alternatives in order', () => {
    const r = logprobsOf(logits, 2, 3);
    const lse = Math.log(Array.from(logits).reduce((s, x) => s + Math.exp(x), 0));
    expect(r.logprob).toBeCloseTo(2 - lse, 6);
    expect(r.top.map((t) => t.token)).toEqual([1, 4, 2]);
    expect(r.top[0].logprob).toBeCloseTo(3 - lse, 6);
  });

  test('mulberry32 is deterministic and in [0, 1)', () => {
    const a = mulberry32(9), b = mulberry32(9);
    for (let i = 0; i < 100; i++) { const x = a(); expect(x).toBe(b()); expect(x).toBeGreaterThanOrEqual(0); expect(x).toBeLessThan(1); }
  });
});
