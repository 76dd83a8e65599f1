// The WebAssembly SIMD matvecs (workers/simd/matvec.ts) against the TypeScript kernels they stand in for, to the
// bit, on seeded inputs: every linear format (f32, bf16, FP8 with and without FP8 activations, row and tensor
// scales), awkward sizes (one row, n not a multiple of 4 or 8, k odd, k = 1), m > 1, accumulate on and off, row
// ranges, and the embedding lookup. Run in Node (tests/unit/simd-matvec.test.ts) and Chromium (tests/gpu/...).
import { expect, test } from 'vitest';
import { createCpuLinear, loadCpuLinear } from '../workers/reference/linear.ts';
import { memorySource } from '../workers/loader/source.ts';
import type { WeightTensor } from '../workers/model/tensor.ts';
import { createSimdMatvec } from '../workers/simd/matvec.ts';
import { LINEAR_SPECS } from './linear-specs.ts';
import { randomArray } from './gpu/harness.ts';

export const sameBits = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

/** [n, k]: one row, fewer than 4, a 4-block, 8, n % 8 = 4, n % 4 = 1..3, k odd / 1 / long, stories260K's shapes. */
export const SIZES = [[1, 1], [1, 7], [3, 5], [4, 9], [8, 8], [12, 33], [13, 64], [15, 3], [17, 1], [22, 31], [172, 64], [64, 172], [512, 64], [30, 257]];

export function simdParityTests(): void {
  test.each(LINEAR_SPECS)('%s: the SIMD linear gives the TypeScript one\'s bits', (_, s) => {
    for (const [n, k] of SIZES) {
      const w = randomArray(n * k, n * 1000 + k, 0.5);
      const ts = createCpuLinear(w, n, k, s, 'typescript'), simd = createCpuLinear(w, n, k, s, 'wasm');
      expect(simd.kernel).toBe('wasm-simd');
      for (const m of [1, 3]) {
        const x = randomArray(m * k, m + 7 * k, 2);
        for (const accumulate of [false, true]) {
          const y0 = randomArray(m * n, n + m), want = y0.slice(), got = y0.slice();
          ts.apply(x, m, want, accumulate);
          simd.apply(x, m, got, accumulate);
          expect(sameBits(got, want), `n=${n} k=${k} m=${m} accumulate=${accumulate}`).toBe(true);
        }
      }
      const want = new Float32Array(k), got = new Float32Array(k);
      for (const r of new Set([0, n >> 1, n - 1])) {
        ts.row(r, want); simd.row(r, got);
        expect(sameBits(got, want), `row ${r} of n=${n} k=${k}`).toBe(true);
      }
    }
  });

  test('row ranges [r0, r1) add up to the whole matvec (a worker pool splits by blocks of 8 rows)', () => {
    const n = 45, k = 19, w = randomArray(n * k, 3);
    const whole = createSimdMatvec('f32', w, k, n, k, () => { throw new Error('no range below reaches the tail row'); });
    expect(whole).not.toBeNull();
    // n % 4 = 1: the last row goes through the tail kernel; here a TS linear of the same matrix gives the reference
    const ts = createCpuLinear(w, n, k, LINEAR_SPECS[0][1], 'typescript'), simd = createCpuLinear(w, n, k, LINEAR_SPECS[0][1], 'wasm');
    const x = randomArray(k, 5), want = new Float32Array(n), got = new Float32Array(n).fill(NaN);
    ts.apply(x, 1, want);
    simd.apply(x, 1, got);
    expect(sameBits(got, want)).toBe(true);
    const m = whole!, parts = new Float32Array(n).fill(NaN);
    for (const [r0, r1] of [[0, 8], [8, 40], [40, 44]]) m.matvec(x, 0, parts, 0, false, r0, r1);
    expect(sameBits(parts.subarray(0, 44), want.subarray(0, 44))).toBe(true);
    expect(() => m.matvec(x, 0, parts, 0, false, 4, 8)).toThrow(/multiple of 8/);
  });

  test('FP8 weights holding a NaN code keep the TypeScript kernel, and say so', () => {
    const w = randomArray(16 * 8, 9); w[5] = NaN;
    const s = LINEAR_SPECS.find(([name]) => name === 'e4m3 row')![1];
    expect(createCpuLinear(w, 16, 8, s).kernel).toBe('typescript');
    expect(() => createCpuLinear(w, 16, 8, s, 'wasm')).toThrow(/no WebAssembly SIMD kernel/);
  });
}

/** A BF16 file read straight into the SIMD blocks (no packed copy) against the same file read for the TypeScript
 * kernels: the same bits, rows and stats, NaNs made canonical and counted. */
export function bf16FileParityTest(): void {
  test('a BF16 file straight into the blocks: NaNs made canonical and counted, amax, the TypeScript kernels\' bits', async () => {
    const k = 4097; // odd: rows of the file start on odd byte offsets; 1023 rows a file slab, read as 1016
    // n = 2045: the last block holds 4 rows (2040-2043, placed one by one) and one tail row
    const n = 2045, halves = new Uint16Array(n * k), f = randomArray(n * k, 14, 0.5), bits = new Uint32Array(f.buffer);
    for (let i = 0; i < halves.length; i++) halves[i] = bits[i] >>> 16;
    const odd = { 5: 0xffc1, [3 * k + 7]: 0x7f81, [2041 * k + 2]: 0x7fff, [n * k - 1]: 0xff80, [1016 * k]: 0x7f80 }; // NaNs, -Inf, +Inf
    for (const [i, h] of Object.entries(odd)) halves[Number(i)] = h;
    const t: WeightTensor = { name: 'w', dtype: 'BF16', n: n, k, offset: 0, source: memorySource('w', new Uint8Array(halves.buffer)) };
    const s = LINEAR_SPECS.find(([name]) => name === 'bf16')![1];
    let read = 0;
    const simd = await loadCpuLinear(t, s, (b) => { read += b; }, 'wasm'), ts = await loadCpuLinear(t, s, undefined, 'typescript');
    expect([simd.kernel, read]).toEqual(['wasm-simd', n * k * 2]);
    expect(simd.stats).toEqual(ts.stats);
    expect([simd.stats.nan, simd.stats.amax]).toEqual([3, Infinity]);
    const x = randomArray(2 * k, 15, 2), want = new Float32Array(2 * n), got = new Float32Array(2 * n);
    ts.apply(x, 2, want); simd.apply(x, 2, got);
    expect(sameBits(got, want)).toBe(true);
    const a = new Float32Array(k), b = new Float32Array(k);
    for (const r of [0, 3, 1015, 1016, 2040, 2043, n - 1]) { ts.row(r, a); simd.row(r, b); expect(sameBits(b, a), `row ${r}`).toBe(true); }
    // a file without NaNs or Infs: amax is its largest |x|, the values decoded one by one
    const cleanHalves = halves.map((h) => ((h & 0x7fff) >= 0x7f80 ? 0 : h));
    const wide = new Uint32Array(cleanHalves.length);
    for (let i = 0; i < wide.length; i++) wide[i] = cleanHalves[i] << 16;
    let amax = 0;
    for (const v of new Float32Array(wide.buffer)) amax = Math.max(amax, Math.abs(v));
    const clean = await loadCpuLinear({ ...t, source: memorySource('w', new Uint8Array(cleanHalves.buffer)) }, s, undefined, 'wasm');
    expect(clean.stats).toEqual({ amax, scale: 1, clipped: 0, underflow: 0, nan: 0 });
  });
}
