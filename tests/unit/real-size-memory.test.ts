// Memory, measured not assumed: each operation runs in a process of its own (scripts/bench/memory.ts) on the
// generated Llama-3.2-1B-geometry checkpoint (768 MB of BF16), and its resident set is read from the OS
// (getrusage maxRSS) against what it had before reading anything. The file is the master: the CPU engine holds the
// packed weights once, a load's extra is one slab, and reading headers + tokenizer costs no weight bytes.
import { inject, describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dir = inject('checkpointDir');
const MB = 2 ** 20;
const script = fileURLToPath(new URL('../../scripts/bench/memory.ts', import.meta.url));

interface Measured {
  max_rss_delta: number;
  rss_delta: number;
  weight_bytes: number;
  largest_tensor_bytes: number;
  loaded_rss_delta: number;
  switched_weight_bytes: number;
}

function measure(...args: string[]): Measured {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', script, '--model', dir, '--json', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`memory.ts ${args.join(' ')} failed: ${r.stderr.trim().split('\n').pop()}`);
  const m = JSON.parse(r.stdout) as Measured;
  console.log(`${args.join(' ')}: peak +${(m.max_rss_delta / MB).toFixed(0)} MiB, kept +${(m.rss_delta / MB).toFixed(0)} MiB${m.weight_bytes ? `, weights ${(m.weight_bytes / MB).toFixed(0)} MiB` : ''}`);
  return m;
}

describe('memory on the 1B-geometry checkpoint (CPU engine, one process per operation)', () => {
  test('inspect and tokenize read headers and the tokenizer only: under 300 MB', () => {
    for (const op of ['inspect', 'tokenize']) expect(measure('--op', op).max_rss_delta, op).toBeLessThan(300 * MB);
  }, 60_000);

  test('a BF16 load peaks at most 1.2 x the weights + 300 MB; FP8 holds and peaks less', () => {
    const bf16 = measure('--op', 'load', '--precision', 'bf16');
    expect(bf16.weight_bytes).toBe(768_606_208); // the embedding (shared with the tied head) + 2 layers, 2 B each
    expect(bf16.max_rss_delta).toBeLessThanOrEqual(1.2 * bf16.weight_bytes + 300 * MB);
    // with 2 layers the recipe quantizes nothing (FFN of layers 1..L-2 is empty): fp8-llama3 is bf16 here
    const llama3 = measure('--op', 'load', '--precision', 'fp8-llama3');
    expect(llama3.weight_bytes).toBe(bf16.weight_bytes);
    expect(llama3.max_rss_delta).toBeLessThanOrEqual(1.2 * llama3.weight_bytes + 300 * MB);
    const all = measure('--op', 'load', '--precision', 'fp8-all');
    expect(all.weight_bytes).toBeLessThan(bf16.weight_bytes - 100 * MB); // every block linear at 1 B (+ row scales)
    expect(all.max_rss_delta).toBeLessThan(bf16.max_rss_delta);
  }, 180_000);

  test('a precision switch never raises the peak by more than the largest tensor', () => {
    const s = measure('--op', 'switch', '--precision', 'bf16', '--to', 'fp8-all');
    expect(s.switched_weight_bytes).toBeLessThan(s.weight_bytes);
    expect(s.max_rss_delta).toBeLessThanOrEqual(s.loaded_rss_delta + s.largest_tensor_bytes);
  }, 120_000);
});
