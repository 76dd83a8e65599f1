// The CPU pool in Node (worker_threads): matvecs split over threads give the same bits as one thread (SIMD kernels over a shared memory), for every
// linear format and awkward sizes (tests/cpu-pool-cases.ts; the same cases run in Chromium: tests/gpu/cpu-pool.test.ts).
import { describe, expect, test } from 'vitest';
import { nodePoolThread } from '../../scripts/cli/pool-node.ts';
import { CpuPool } from '../../workers/cpu-pool/pool.ts';
import { MIN_POOL_WEIGHTS, blockShares, hasPooledMatrix } from '../../workers/cpu-pool/split.ts';
import { POOL_THREADS, poolMismatches } from '../cpu-pool-cases.ts';

describe('blockShares', () => {
  test.each([[0, 2], [1, 2], [7, 4], [8, 2], [61, 3], [1024, 3]])('%i blocks over %i threads: each block once, in order', (blocks, threads) => {
    const shares = blockShares(blocks, threads);
    expect(shares).toHaveLength(threads);
    let next = 0;
    for (const [b0, b1] of shares) {
      expect(b0).toBe(next);
      expect(b1).toBeGreaterThanOrEqual(b0);
      expect(b1 - b0).toBeLessThanOrEqual(Math.ceil(blocks / threads));
      next = b1;
    }
    expect(next).toBe(blocks);
  });
});

test.each(POOL_THREADS)('%i threads: every format and size, bit-identical to one thread', async (threads) => {
  expect(await poolMismatches(nodePoolThread, threads)).toEqual([]);
});

test('only matrices of at least MIN_POOL_WEIGHTS weights go to the pool', async () => {
  const pool = await CpuPool.create(2, nodePoolThread);
  try {
    expect(pool.takes(512, 2048)).toBe(MIN_POOL_WEIGHTS <= 512 * 2048); // wk of a 1B model
    expect(pool.takes(64, 64)).toBe(false);
  } finally {
    pool.close();
  }
});

test('a model with no matrix of MIN_POOL_WEIGHTS weights starts no pool (the default model); a 1B-geometry one does', () => {
  const mini = { dim: 128, hiddenDim: 384, nHeads: 4, headDim: 32, vocabSize: 2048 }; // public/models/llama31-mini
  expect(hasPooledMatrix(mini)).toBe(false);
  expect(hasPooledMatrix({ ...mini, vocabSize: 8192 })).toBe(true); // the classifier: 8192 x 128 = 1M
  expect(hasPooledMatrix({ dim: 2048, hiddenDim: 8192, nHeads: 32, headDim: 64, vocabSize: 128256 })).toBe(true);
});

test('a pool of one thread is refused, and a thread that cannot start fails the pool', async () => {
  await expect(CpuPool.create(1, nodePoolThread)).rejects.toThrow(/2 threads or more/);
  const broken: typeof nodePoolThread = (index, hear) => {
    setTimeout(() => hear({ type: 'failed', index, message: 'no such script' }), 10);
    return { post: () => {}, terminate: () => {} };
  };
  await expect(CpuPool.create(2, broken)).rejects.toThrow(/thread 1 failed: no such script/);
});
