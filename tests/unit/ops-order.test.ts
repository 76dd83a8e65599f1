// The CPU engine's fast loops add the same terms in the same order as the plain loops they replace, so the engine
// (the oracle of every GPU kernel) gives the same results to the bit: attention() against attentionPlain(), and the
// matvecs (eight rows at a time, then four, then the rest with four partial sums) against that order written plainly.
import { describe, expect, test } from 'vitest';
import { attention, attentionPlain } from '../../workers/reference/ops.ts';
import { createCpuLinear } from '../../workers/reference/linear.ts';
import { roundBf16 } from '../../workers/quant/bf16.ts';
import { spec } from '../linear-specs.ts';
import { randomArray } from '../gpu/harness.ts';

const sameBits = (a: Float32Array, b: Float32Array) => a.every((v, i) => Object.is(v, b[i]));

describe('attention() is attentionPlain() to the bit', () => {
  // [nHeads, nKvHeads, headDim]: stories260K, the 1B geometry's heads, no GQA, a width not a multiple of 8, a small one
  test.each([[8, 4, 8], [32, 8, 64], [4, 4, 16], [6, 2, 12], [4, 2, 4]])('%i heads, %i kv heads, head dim %i', (nHeads, nKvHeads, headDim) => {
    const maxSeq = 80, kvDim = nKvHeads * headDim, shape = { nHeads, nKvHeads, headDim, maxSeq };
    const kc = randomArray(maxSeq * kvDim, 1, 2), vc = randomArray(maxSeq * kvDim, 2);
    for (const [rows, pos0] of [[1, 0], [1, 37], [9, 0], [5, 70]]) {
      const q = randomArray(rows * nHeads * headDim, rows * 100 + pos0, 3);
      const want = new Float32Array(q.length), got = new Float32Array(q.length);
      attentionPlain(want, q, kc, vc, rows, pos0, shape, new Float32Array(maxSeq));
      attention(got, q, kc, vc, rows, pos0, shape, new Float32Array(maxSeq));
      expect(sameBits(got, want), `rows ${rows} from ${pos0}`).toBe(true);
    }
  });
});

/** y = W x in the matvecs' order: rows below n - n % 4 summed c = 0..k-1 in one double; the rest with 4 partial sums. */
function inOrder(w: Float32Array, n: number, k: number, x: Float32Array): Float32Array {
  const y = new Float32Array(n), blocked = n - (n % 4);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    if (i < blocked) { let a = 0; for (let c = 0; c < k; c++) a += w[o + c] * x[c]; y[i] = a; continue; }
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0, c = 0;
    for (; c + 4 <= k; c += 4) { a0 += w[o + c] * x[c]; a1 += w[o + c + 1] * x[c + 1]; a2 += w[o + c + 2] * x[c + 2]; a3 += w[o + c + 3] * x[c + 3]; }
    for (; c < k; c++) a0 += w[o + c] * x[c];
    y[i] = a0 + a1 + (a2 + a3);
  }
  return y;
}

describe.each(['f32', 'bf16'] as const)('%s matvec keeps the order of its sums', (dtype) => {
  test.each([[3, 5], [4, 64], [8, 64], [12, 33], [13, 64], [172, 64], [64, 172], [512, 64]])('n=%i k=%i', (n, k) => {
    const w = randomArray(n * k, n + 31 * k), x = randomArray(k, k, 4);
    const lin = createCpuLinear(w, n, k, spec({ dtype }));
    const y = new Float32Array(n);
    lin.apply(x, 1, y);
    expect(sameBits(y, inOrder(dtype === 'bf16' ? w.map((v) => roundBf16(v)) : w, n, k, x))).toBe(true);
  });
});
