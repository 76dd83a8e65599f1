// How a matvec's rows are shared out among threads. The SIMD kernels (workers/simd/matvec.ts) take rows in blocks
// of 8 and treat the last n mod 4 rows apart; a thread gets whole blocks, so every row is summed by the loop it has
// on one thread, and the result is the same to the bit whatever the number of threads.

/**
 * Matrices smaller than this (weights, n·k) stay on the engine's thread: waking the other threads costs tens of
 * microseconds, about what a 1M-weight matvec takes on one core (wk and wv of a 1B model are 512 x 2048 = 1M).
 */
export const MIN_POOL_WEIGHTS = 2 ** 20;

/** [b0, b1) of each of `threads` shares of `blocks` blocks, as even as can be (trailing shares may be empty). */
export function blockShares(blocks: number, threads: number): [number, number][] {
  const per = Math.ceil(blocks / threads);
  return Array.from({ length: threads }, (_, t) => [Math.min(blocks, t * per), Math.min(blocks, (t + 1) * per)]);
}

/** Whether a model has any matrix the pool would split (the classifier, an FFN or an attention projection). */
export function hasPooledMatrix(c: { dim: number; hiddenDim: number; nHeads: number; headDim: number; vocabSize: number }): boolean {
  return Math.max(c.vocabSize * c.dim, c.hiddenDim * c.dim, c.nHeads * c.headDim * c.dim) >= MIN_POOL_WEIGHTS;
}
