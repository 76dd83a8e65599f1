// The Gantt chart's arithmetic (src/viz/gantt.ts): ticks, where spans land, busy time inside a bar, the summary.
import { describe, expect, test } from 'vitest';
import type { PipelineSpan, PipelineSummary } from '../../workers/api.ts';
import { axisEnd, colorOf, describeRun, formatMs, layoutSpans, timeTicks } from '../../src/viz/gantt.ts';

const span = (stage: number, start: number, end: number, gpuMs: number | null = null): PipelineSpan =>
  ({ stage, microBatch: 0, phase: 'decode', step: 0, rows: 1, start, end, gpuMs });

describe('gantt geometry', () => {
  test('ticks are round steps inside the axis, or covering the data for a plot', () => {
    expect(timeTicks(680, 4)).toEqual([0, 200, 400, 600]);
    expect(timeTicks(680, 4, true)).toEqual([0, 200, 400, 600, 800]);
    expect(timeTicks(600, 3)).toEqual([0, 200, 400, 600]);
    expect(timeTicks(0.9, 3)).toEqual([0, 0.5]);
    expect(timeTicks(0)).toEqual([0]);
  });

  test('spans land by time and stage; the solid part is GPU time where measured', () => {
    const [a, b] = layoutSpans([span(0, 0, 50, 10), span(2, 50, 100)], { width: 200, rowHeight: 20, rowGap: 5, endMs: 100 });
    expect(a).toMatchObject({ x: 0, w: 100, busyW: 20, y: 0, h: 20 });
    expect(b).toMatchObject({ x: 100, w: 100, busyW: 100, y: 50 });
    expect(layoutSpans([span(0, 10, 10)], { width: 100, rowHeight: 1, rowGap: 0, endMs: 100 })[0].w).toBe(1); // never vanishes
    expect(axisEnd([span(0, 0, 50), span(1, 20, 100)])).toBeCloseTo(102);
  });

  test('labels and colours', () => {
    expect(formatMs(0)).toBe('0');
    expect(formatMs(4.25)).toBe('4.3 ms');
    expect(formatMs(850)).toBe('850 ms');
    expect(formatMs(1234)).toBe('1.2 s');
    expect(colorOf(8)).toBe(colorOf(0));
    const s = { stages: 2, microBatches: 1, layers: [[0, 3], [3, 5]], makespanMs: 100, busyMs: [50, 40], bubbleMeasured: 0.55, bubblePredicted: 0.5 } as PipelineSummary;
    expect(describeRun(s)).toBe('2 stages, 1 micro-batch: measured bubble 55% (GPipe predicts 50%) over 100 ms; stage 1 (layers 0–2) busy 50%; stage 2 (layers 3–4) busy 40%.');
  });
});
