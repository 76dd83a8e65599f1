// Packing layouts (word order, padding, scales), the per-tensor stats and the FP8 histogram.
import { describe, expect, test } from 'vitest';
import { emptyStats, packMatrix, packTensor, packedWords, unpackRow } from '../../workers/quant/pack.ts';
import { memorySource } from '../../workers/loader/source.ts';
import type { WeightTensor } from '../../workers/model/tensor.ts';
import { fp8Histogram, quantStats } from '../../workers/quant/stats.ts';
import { FP8_TABLE, encodeFp8, decodeFp8 } from '../../workers/quant/fp8.ts';
import { f32ToBf16, roundBf16 } from '../../workers/quant/bf16.ts';
import type { LinearSpec } from '../../workers/quant/types.ts';
import { randomArray } from '../gpu/harness.ts';

const spec = (s: Partial<LinearSpec>): LinearSpec => ({ dtype: 'f32', scale: 'row', act: null, actBound: null, bf16Rounding: 'nearest', ...s });

test('rows are padded to whole vec4 words', () => {
  expect(packedWords('f32', 67)).toBe(68);
  expect(packedWords('bf16', 67)).toBe(36); // 34 words -> 36
  expect(packedWords('fp8e4m3', 67)).toBe(20); // 17 words -> 20
  expect(packedWords('fp8e4m3', 64)).toBe(16);
  expect(packedWords('bf16', 3)).toBe(4);
});

describe.each([3, 7, 64, 67])('k = %i', (k) => {
  const n = 5;
  const w = randomArray(n * k, 100 + k, 2);

  test('f32 keeps the values, zero padding', () => {
    const p = packMatrix(w, n, k, spec({}));
    expect(p.data).toBeInstanceOf(Float32Array);
    for (let r = 0; r < n; r++) {
      expect([...unpackRow(p, r)]).toEqual([...w.subarray(r * k, r * k + k)]);
      for (let c = k; c < p.kPacked; c++) expect(p.data[r * p.kPacked + c]).toBe(0);
    }
    expect(p.bytes).toBe(n * p.kPacked * 4);
  });

  test.each(['nearest', 'truncate'] as const)('bf16 (%s): element 2j in the low half, 2j+1 in the high half', (rounding) => {
    const p = packMatrix(w, n, k, spec({ dtype: 'bf16', bf16Rounding: rounding }));
    const words = p.data as Uint32Array;
    const t = rounding === 'truncate';
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < k; c++) {
        const word = words[r * p.kPacked + (c >> 1)];
        expect((c % 2 ? word >>> 16 : word & 0xffff)).toBe(f32ToBf16(w[r * k + c], t));
      }
      if (k % 2) expect(words[r * p.kPacked + (k >> 1)] >>> 16).toBe(0);
      expect([...unpackRow(p, r)]).toEqual([...w.subarray(r * k, r * k + k)].map((x) => roundBf16(x, t)));
    }
    expect(p.scales).toBeNull();
  });

  test.each(['fp8e4m3', 'fp8e5m2'] as const)('%s: four codes per word, little-endian, one scale per row', (fmt) => {
    const max = fmt === 'fp8e4m3' ? 448 : 57344;
    const p = packMatrix(w, n, k, spec({ dtype: fmt }));
    const words = p.data as Uint32Array;
    for (let r = 0; r < n; r++) {
      const row = w.subarray(r * k, r * k + k);
      const amax = Math.max(...row.map(Math.abs));
      expect(p.scales![r]).toBe(Math.fround(amax / max));
      const qs = Math.fround(max / amax);
      for (let c = 0; c < k; c++) {
        const code = (words[r * p.kPacked + (c >> 2)] >>> ((c & 3) * 8)) & 0xff;
        expect(code).toBe(encodeFp8(Math.fround(row[c] * qs), fmt));
      }
      for (let c = k; c < p.kPacked * 4; c++) expect((words[r * p.kPacked + (c >> 2)] >>> ((c & 3) * 8)) & 0xff).toBe(0);
      // The row's largest element maps to the format's max, so it comes back (almost) exactly.
      const back = unpackRow(p, r);
      const j = row.findIndex((x) => Math.abs(x) === amax);
      expect(Math.abs(back[j] - row[j])).toBeLessThanOrEqual(amax * 1e-6);
    }
    expect(p.bytes).toBe(n * p.kPacked * 4 + n * 4);
    expect(p.stats).toEqual(quantStats(w, n, k, fmt, 'row'));
  });

  test('fp8 tensor-wise: the same scale on every row', () => {
    const p = packMatrix(w, n, k, spec({ dtype: 'fp8e4m3', scale: 'tensor' }));
    const amax = Math.max(...w.map(Math.abs));
    for (let r = 0; r < n; r++) expect(p.scales![r]).toBe(Math.fround(amax / 448));
    expect(p.stats).toEqual(quantStats(w, n, k, 'fp8e4m3', 'tensor'));
  });
});

test('stats: the recipe example row [0.01, -0.02, 5000, 0.5]', () => {
  const x = new Float32Array([0.01, -0.02, 5000, 0.5]);
  const unbounded = quantStats(x, 1, 4, 'fp8e4m3', 'row', null);
  expect(unbounded).toMatchObject({ amax: 5000, clipped: 0, underflow: 1, nan: 0 });
  const bounded = quantStats(x, 1, 4, 'fp8e4m3', 'row', 1200);
  expect(bounded).toMatchObject({ amax: 5000, clipped: 1, underflow: 0, nan: 0 });
  expect(bounded.scale).toBe(Math.fround(1200 / 448));
  const qs = Math.fround(448 / 1200);
  const back = decodeFp8(encodeFp8(Math.fround(0.01 * qs), 'fp8e4m3'), 'fp8e4m3') * bounded.scale;
  expect(back).toBeCloseTo(0.0105, 4); // survives as ~0.0105
  expect(decodeFp8(encodeFp8(Math.fround(5000 * qs), 'fp8e4m3'), 'fp8e4m3') * bounded.scale).toBeCloseTo(1200, 3);
});

test('stats: NaN, bf16 underflow and overflow, f32', () => {
  const x = new Float32Array([1, NaN, 1e-40, 3.4e38, -2]);
  expect(quantStats(x, 1, 5, 'f32')).toEqual({ amax: Math.fround(3.4e38), scale: 1, clipped: 0, underflow: 0, nan: 1 });
  const b = quantStats(x, 1, 5, 'bf16');
  expect(b).toMatchObject({ nan: 1, clipped: 1, underflow: 0 }); // 1e-40 is a BF16 subnormal: kept
  expect(quantStats(new Float32Array([1e-45]), 1, 1, 'bf16').underflow).toBe(1);
  const p = packMatrix(x, 1, 5, spec({ dtype: 'bf16' }));
  expect(p.stats).toEqual(b);
});

test('histogram: counts per E4M3 magnitude code', () => {
  const w = randomArray(64 * 16, 7, 0.05);
  const h = fp8Histogram(w, spec({ dtype: 'fp8e4m3' }), 16);
  expect(h.counts.length).toBe(128);
  expect(h.counts.reduce((a, b) => a + b, 0)).toBe(w.length);
  expect(h.values[0x38]).toBe(1);
  expect(h.values).toEqual(FP8_TABLE.fp8e4m3.slice(0, 128));
  expect(h.counts[0x7e]).toBeGreaterThanOrEqual(64); // each row's amax lands on 448
  const p = packMatrix(w, 64, 16, spec({ dtype: 'fp8e4m3' }));
  expect(h.underflow).toBe(p.stats.underflow);
  const codes = new Uint32Array(128);
  for (const word of p.data as Uint32Array) for (let i = 0; i < 4; i++) codes[(word >>> (8 * i)) & 0x7f]++;
  expect([...codes]).toEqual([...h.counts]);
});

test('a BF16 file packs to bf16 by copying the halves: the same words and stats as packing its f32 values', async () => {
  const n = 7, k = 67; // odd k: rows are padded
  const halves = Uint16Array.from({ length: n * k }, (_, i) => [0x7fc1, 0xffc0, 0x7f80, 0xff80, 0x8000, 0x0001][i] ?? ((i * 40503) & 0xffff));
  const t: WeightTensor = { name: 'w', dtype: 'BF16', n, k, source: memorySource('w', new Uint8Array(halves.buffer)), offset: 0 };
  const values = new Float32Array(n * k);
  new Uint32Array(values.buffer).set(Array.from(halves, (h) => h << 16));
  const want = packMatrix(values, n, k, spec({ dtype: 'bf16' }));
  const stats = emptyStats();
  const got = new Uint32Array(n * want.kPacked);
  for await (const s of packTensor(t, spec({ dtype: 'bf16' }), stats, 3)) {
    expect(s.rows).toBeLessThanOrEqual(3); // slabs never cross the boundary
    got.set(s.data as Uint32Array, s.r0 * want.kPacked);
  }
  expect([...got]).toEqual([...(want.data as Uint32Array)]);
  expect(stats).toEqual(want.stats);
});
