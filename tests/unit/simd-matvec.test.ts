// The WebAssembly SIMD matvecs against the TypeScript kernels, in Node (the cases: tests/simd-parity.ts), and a
// linear read from a file slab by slab into the SIMD kernels' memory (never held twice) against the same tensor
// read for the TypeScript kernels.
import { describe, expect, test } from 'vitest';
import { bf16FileParityTest, simdParityTests, sameBits } from '../simd-parity.ts';
import { loadCpuLinear } from '../../workers/reference/linear.ts';
import { memorySource } from '../../workers/loader/source.ts';
import { slabRows, type WeightTensor } from '../../workers/model/tensor.ts';
import { LINEAR_SPECS } from '../linear-specs.ts';
import { randomArray } from '../gpu/harness.ts';

describe('SIMD matvec parity (Node)', () => { simdParityTests(); bf16FileParityTest(); });

describe('a linear loaded slab by slab into the SIMD kernels', () => {
  // k = 4097: 1023 rows a slab, so slabs end inside 8-row blocks; n = 2051: three slabs, n % 4 = 3 tail rows
  const n = 2051, k = 4097;
  const tensor = (w: Float32Array): WeightTensor => ({ name: 'w', dtype: 'F32', n, k, offset: 0, source: memorySource('w', new Uint8Array(w.buffer)) });

  test.each(LINEAR_SPECS.filter(([name]) => ['f32', 'bf16', 'e4m3 row', 'e5m2 row, act e5m2'].includes(name)))('%s: the TypeScript kernels\' bits', async (_, s) => {
    expect(slabRows(k)).toBe(1023);
    const t = tensor(randomArray(n * k, 11, 0.5));
    let read = 0;
    const simd = await loadCpuLinear(t, s, (b) => { read += b; }, 'wasm'), ts = await loadCpuLinear(t, s, undefined, 'typescript');
    expect([simd.kernel, ts.kernel, read]).toEqual(['wasm-simd', 'typescript', n * k * 4]);
    const x = randomArray(2 * k, 12, 2), want = new Float32Array(2 * n), got = new Float32Array(2 * n);
    ts.apply(x, 2, want); simd.apply(x, 2, got);
    expect(sameBits(got, want)).toBe(true);
    const a = new Float32Array(k), b = new Float32Array(k);
    for (const r of [0, 1022, 1023, 1030, n - 4, n - 1]) { ts.row(r, a); simd.row(r, b); expect(sameBits(b, a), `row ${r}`).toBe(true); }
    expect(simd.stats).toEqual(ts.stats);
  });

  test('an FP8 NaN code in the last slab: read again for the TypeScript kernels, progress counted once', async () => {
    const w = randomArray(n * k, 13, 0.5); w[(n - 2) * k + 5] = NaN;
    const s = LINEAR_SPECS.find(([name]) => name === 'e4m3 row')![1];
    let read = 0;
    const l = await loadCpuLinear(tensor(w), s, (b) => { read += b; });
    expect([l.kernel, read]).toEqual(['typescript', n * k * 4]);
    await expect(loadCpuLinear(tensor(w), s, undefined, 'wasm')).rejects.toThrow(/no WebAssembly SIMD kernel/);
  });
});
