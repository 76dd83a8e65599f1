// The CPU pool's parity cases, run in Node (tests/unit/cpu-pool.test.ts, worker_threads) and in Chromium
// (tests/gpu/cpu-pool.test.ts, Web Workers): every linear format, awkward sizes, 2 to 4 threads, outputs compared
// to the bit with the same linear on one thread.
import { createCpuLinear } from '../workers/reference/linear.ts';
import { CpuPool } from '../workers/cpu-pool/pool.ts';
import type { SpawnPoolThread } from '../workers/cpu-pool/protocol.ts';
import { LINEAR_SPECS } from './linear-specs.ts';
import { randomArray } from './gpu/harness.ts';

/** [n, k, m]: one row, n below one block, n and k odd, several blocks per thread with a tail, a k multiple of 8. */
export const POOL_SIZES: [number, number, number][] = [[1, 3, 1], [5, 67, 2], [13, 129, 3], [61, 257, 1], [203, 33, 2], [64, 64, 1]];
export const POOL_THREADS = [2, 3, 4];

/** The first index where a and b differ in their bits (NaN payloads included), or -1. */
export function firstDifference(a: Float32Array, b: Float32Array): number {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length), ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  if (ua.length !== ub.length) return 0;
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return i;
  return -1;
}

/**
 * Every format and size through a pool of `threads` (taking every matrix), y = W x and y += W x, against one
 * thread: returns one line per case that differs (empty: all bit-identical).
 */
export async function poolMismatches(spawn: SpawnPoolThread, threads: number): Promise<string[]> {
  const pool = await CpuPool.create(threads, spawn, 1);
  const bad: string[] = [];
  try {
    for (const [name, s] of LINEAR_SPECS) {
      for (const [n, k, m] of POOL_SIZES) {
        const w = randomArray(n * k, n * 1000 + k, 0.5), x = randomArray(m * k, k * 7 + m, 2);
        x[0] = 5000; // an outlier for the activation scales
        // two columns that cancel: summed in another order (another loop), the small terms round differently
        // against the big partial sum, so a row given to the wrong loop shows in its bits
        if (k >= 2) for (let i = 0; i < n; i++) { w[i * k] = 1e9; w[i * k + 1] = -1e9; x[1] = 5000; }
        const one = createCpuLinear(w, n, k, s), many = createCpuLinear(w, n, k, s, 'auto', pool);
        const want = new Float32Array(m * n), got = new Float32Array(m * n);
        one.apply(x, m, want);
        many.apply(x, m, got);
        let i = firstDifference(got, want);
        if (i >= 0) bad.push(`${name} n=${n} k=${k} m=${m}, ${threads} threads: y[${i}] ${got[i]} != ${want[i]}`);
        const base = randomArray(m * n, n + m, 1), wantAcc = base.slice(), gotAcc = base.slice();
        one.apply(x, m, wantAcc, true);
        many.apply(x, m, gotAcc, true);
        i = firstDifference(gotAcc, wantAcc);
        if (i >= 0) bad.push(`${name} n=${n} k=${k} m=${m}, ${threads} threads, accumulate: y[${i}] ${gotAcc[i]} != ${wantAcc[i]}`);
        many.release();
      }
    }
  } finally {
    pool.close();
  }
  return bad;
}
