// The CPU pool in Chromium (Web Workers over a shared WebAssembly memory, workers/spawn.ts webPoolThread), the page
// cross-origin isolated as vite serves it (COOP/COEP, scripts/vite/csp.ts): every format and awkward size, split over
// 2 to 4 threads, bit-identical to one thread (the cases: tests/cpu-pool-cases.ts, also run in Node).
import { expect, test } from 'vitest';
import { webPoolThread } from '../../workers/spawn.ts';
import { POOL_THREADS, poolMismatches } from '../cpu-pool-cases.ts';

test('the test page is cross-origin isolated, so threads may share memory', () => {
  expect(globalThis.crossOriginIsolated).toBe(true);
  expect(typeof SharedArrayBuffer).toBe('function');
});

test.each(POOL_THREADS)('%i threads: every format and size, bit-identical to one thread', async (threads) => {
  expect(await poolMismatches(webPoolThread, threads)).toEqual([]);
});
