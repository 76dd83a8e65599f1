import { describe, expect, test } from 'vitest';
import { argmax, logprobsOf, mulberry32, Sampler } from '../../workers/model/sampler.ts';

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
