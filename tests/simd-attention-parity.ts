// The WebAssembly SIMD attention loops (workers/simd/attention.ts) against ops.ts attention(), to the bit: the
// head sizes of stories260K and the 1B geometry, no GQA, odd head sizes, odd and even sequence lengths, prefill
// rows and decode rows, and a cache slot other than the first. Run in Node and Chromium.
import { expect, test } from 'vitest';
import { attention } from '../workers/reference/ops.ts';
import { createSimdAttention } from '../workers/simd/attention.ts';
import { randomArray } from './gpu/harness.ts';
import { sameBits } from './simd-parity.ts';

export function simdAttentionTests(): void {
  // [nHeads, nKvHeads, headDim]
  test.each([[8, 4, 8], [32, 8, 64], [4, 4, 16], [6, 2, 12], [4, 2, 4], [3, 1, 7], [2, 2, 1]])('%i heads, %i kv heads, head dim %i', (nHeads, nKvHeads, headDim) => {
    const maxSeq = 80, kvDim = nKvHeads * headDim, shape = { nHeads, nKvHeads, headDim, maxSeq }, layer = maxSeq * kvDim;
    const simd = createSimdAttention(2 * layer, maxSeq, headDim);
    expect(simd).not.toBeNull();
    const kc = simd!.keyCache.subarray(layer), vc = simd!.valueCache.subarray(layer); // the second slot
    kc.set(randomArray(layer, 1, 2)); vc.set(randomArray(layer, 2));
    simd!.keyCache.fill(NaN, 0, layer); simd!.valueCache.fill(NaN, 0, layer); // the first slot must not be read
    for (const [rows, pos0] of [[1, 0], [1, 1], [1, 37], [1, 38], [9, 0], [5, 70], [1, 79]]) {
      const q = randomArray(rows * nHeads * headDim, rows * 100 + pos0, 3);
      const want = new Float32Array(q.length), got = new Float32Array(q.length).fill(NaN);
      attention(want, q, kc, vc, rows, pos0, shape, new Float32Array(maxSeq));
      simd!.attention(got, q, kc, vc, rows, pos0, shape);
      expect(sameBits(got, want), `rows ${rows} from ${pos0}`).toBe(true);
    }
  });

  test('refuses caches that are not its own', () => {
    const simd = createSimdAttention(64, 8, 8)!;
    const shape = { nHeads: 1, nKvHeads: 1, headDim: 8, maxSeq: 8 };
    expect(() => simd.attention(new Float32Array(8), new Float32Array(8), new Float32Array(64), simd.valueCache, 1, 0, shape)).toThrow(/must be this module's/);
  });
}
