// The pipeline's arithmetic and schedule without a model: GPipe's bubble formula, the measured bubble and the
// Fig. 24 figures from spans, the layer split, and the coordinator's schedule on stages that only wait.
import { describe, expect, test, vi } from 'vitest';
import type { PipelineSpan } from '../../workers/api.ts';
import { busyOf, decodeBubble, measureBubble, predictedBubble, throughput } from '../../workers/pipeline/bubble.ts';
import { maxStages, splitLayers } from '../../workers/pipeline/split.ts';
import { runPipelined } from '../../workers/pipeline/coordinator.ts';
import type { StageHandle } from '../../workers/pipeline/stage.ts';

const span = (stage: number, microBatch: number, start: number, end: number, gpuMs: number | null = null): PipelineSpan =>
  ({ stage, microBatch, phase: 'prefill', step: 0, rows: 1, start, end, gpuMs });

describe('bubble', () => {
  test('GPipe: (p - 1) / (m + p - 1)', () => {
    expect(predictedBubble(1, 1)).toBe(0);
    expect(predictedBubble(1, 8)).toBe(0);
    expect(predictedBubble(2, 1)).toBe(1 / 2);
    expect(predictedBubble(2, 4)).toBe(1 / 5);
    expect(predictedBubble(4, 4)).toBe(3 / 7);
    expect(predictedBubble(4, 16)).toBeLessThan(0.16); // m >= 4p: small
    expect(decodeBubble(4, 2)).toBe(0.5);
    expect(decodeBubble(2, 4)).toBe(0);
  });

  test('measured on an ideal GPipe wave equals the prediction', () => {
    for (const [p, m] of [[1, 1], [2, 1], [2, 4], [4, 4], [5, 3], [8, 8]]) {
      // stage s runs micro-batch j in slot s + j, each of 1 ms
      const timeline = [];
      for (let s = 0; s < p; s++) for (let j = 0; j < m; j++) timeline.push(span(s, j, s + j, s + j + 1));
      const r = measureBubble(timeline, p);
      expect(r.makespanMs).toBe(m + p - 1);
      expect(r.busyMs).toEqual(new Array(p).fill(m));
      expect(r.bubble).toBeCloseTo(predictedBubble(p, m), 12);
    }
  });

  test('busy time is GPU time where measured, host time otherwise; idle stages count', () => {
    expect(busyOf(span(0, 0, 10, 20, 4))).toBe(4);
    expect(busyOf(span(0, 0, 10, 20))).toBe(10);
    const r = measureBubble([span(0, 0, 0, 10, 5), span(1, 0, 10, 20)], 3);
    expect(r.busyMs).toEqual([5, 10, 0]);
    expect(r.bubble).toBeCloseTo(1 - 15 / 60);
    expect(measureBubble([], 2)).toEqual({ makespanMs: 0, busyMs: [0, 0], bubble: 0 });
  });

  test('Fig. 24 figures: throughput, time to first token, time per output token', () => {
    const t = throughput([
      { promptTokens: 10, tokens: 5, firstTokenMs: 100, lastTokenMs: 140 }, // 4 tokens in 40 ms: 10 ms each
      { promptTokens: 30, tokens: 3, firstTokenMs: 200, lastTokenMs: 240 }, // 2 in 40 ms: 20 ms each
      { promptTokens: 5, tokens: 0, firstTokenMs: 50, lastTokenMs: null }, // EOS first
    ], 500);
    expect(t.totalTokS).toBeCloseTo(8 / 0.5);
    expect(t.ttftMs).toBeCloseTo(350 / 3);
    expect(t.prefillTokS).toBeCloseTo(45 / 0.2);
    expect(t.tpotMs).toBeCloseTo(15);
    expect(t.decodeTokS).toBeCloseTo(6 / 0.14);
  });
});

describe('layer split', () => {
  test('contiguous, covering, as even as possible', () => {
    expect(splitLayers(5, 1)).toEqual([[0, 5]]);
    expect(splitLayers(5, 2)).toEqual([[0, 3], [3, 5]]);
    expect(splitLayers(5, 5)).toEqual([[0, 1], [1, 2], [2, 3], [3, 4], [4, 5]]);
    expect(splitLayers(32, 8).every(([a, b]) => b - a === 4)).toBe(true);
    expect(() => splitLayers(5, 6)).toThrow(/1 to 5/);
    expect(maxStages(5)).toBe(5);
    expect(maxStages(32)).toBe(8);
  });
});

describe('coordinator schedule (stages that wait a fixed time)', () => {
  const VOCAB = 4;
  /** A stage that takes `ms` per run; the last one returns logits favouring token 2. */
  const waiting = (ms: number, last: boolean): StageHandle => ({
    run: (_slot, input) => new Promise((resolve) => {
      const start = performance.timeOrigin + performance.now();
      setTimeout(() => {
        const out = last ? Float32Array.from({ length: VOCAB }, (_, i) => (i === 2 ? 1 : 0)) : new Float32Array(Array.isArray(input) ? input.length : input.length);
        resolve({ out, start, end: performance.timeOrigin + performance.now(), gpuMs: null });
      }, ms);
    }),
  });
  const greedy = { temperature: 0, topK: 0, topP: 1 };

  test('FIFO per stage, in stage order per micro-batch; with m >= p all stages work at once', async () => {
    const p = 3, m = 6;
    const stages = Array.from({ length: p }, (_, s) => waiting(8, s === p - 1));
    const r = await runPipelined(stages, { prompts: Array.from({ length: m }, () => [1, 3]), maxTokens: 3, sampling: greedy, seed: 0, eosIds: [] });
    expect(r.sequences.map((s) => s.tokens)).toEqual(new Array(m).fill([2, 2, 2]));
    expect(r.timeline).toHaveLength(p * m * 3); // prefill + 2 decode steps, each across p stages
    for (let s = 0; s < p; s++) {
      const spans = r.timeline.filter((x) => x.stage === s);
      for (let i = 1; i < spans.length; i++) expect(spans[i].start).toBeGreaterThanOrEqual(spans[i - 1].end - 0.01);
      // prefill micro-batches enter every stage in order
      expect(spans.filter((x) => x.phase === 'prefill').map((x) => x.microBatch)).toEqual([0, 1, 2, 3, 4, 5]);
    }
    for (const x of r.timeline.filter((q) => q.stage > 0)) {
      const before = r.timeline.find((q) => q.stage === x.stage - 1 && q.microBatch === x.microBatch && q.phase === x.phase && q.step === x.step)!;
      expect(x.start).toBeGreaterThanOrEqual(before.end - 0.01);
    }
    // some moment where every stage is busy
    const busyAt = (t: number) => new Set(r.timeline.filter((x) => x.start <= t && t < x.end).map((x) => x.stage)).size;
    expect(Math.max(...r.timeline.map((x) => busyAt(x.start + 1)))).toBe(p);
  });

  test('the measured bubble of one wave is (p - 1) / (m + p - 1)', async () => {
    // on a fake clock every stage takes exactly 15 ms, so the schedule alone decides the bubble: no timer jitter
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
    try {
      const p = 3;
      for (const m of [1, 2, 6]) {
        const stages = Array.from({ length: p }, (_, s) => waiting(15, s === p - 1));
        const run = runPipelined(stages, { prompts: Array.from({ length: m }, () => [1]), maxTokens: 1, sampling: greedy, seed: 0, eosIds: [] });
        await vi.runAllTimersAsync();
        const r = await run;
        expect(measureBubble(r.timeline, p).makespanMs).toBe(15 * (m + p - 1));
        expect(measureBubble(r.timeline, p).bubble).toBeCloseTo(predictedBubble(p, m), 12);
      }
    } finally {
      vi.useRealTimers();
    }
  });

  test('a failing stage rejects the run with its error', async () => {
    const broken: StageHandle = { run: async () => { throw new Error('stage 1 lost its device'); } };
    await expect(runPipelined([waiting(1, false), broken], { prompts: [[1]], maxTokens: 2, sampling: greedy, seed: 0, eosIds: [] }))
      .rejects.toThrow(/lost its device/);
  });
});
