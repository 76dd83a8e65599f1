// The CPU engine against llama2.c on stories260K: greedy continuations token for token, and log-probabilities
// within 1e-3 of the reference logits at every position.
import { describe, expect, test } from 'vitest';
import { parseGguf } from '../../workers/loader/gguf.ts';
import { CpuForward } from '../../workers/reference/forward.ts';
import { presetMap } from '../../workers/quant/precision.ts';
import { argmax } from '../../workers/model/sampler.ts';
import { readShared, STORIES, type Golden } from './shared.ts';

const bytes = readShared(STORIES);
const golden = JSON.parse(readShared('golden/stories260K/greedy.json')?.toString() ?? '[]') as Golden[];
const refLogits = readShared('golden/stories260K/logits-once-upon-a-time.f32');

function logSoftmax(x: Float32Array): Float64Array {
  const max = x.reduce((a, b) => Math.max(a, b), -Infinity);
  const lse = max + Math.log(x.reduce((s, v) => s + Math.exp(v - max), 0));
  return Float64Array.from(x, (v) => v - lse);
}

const model = bytes ? await parseGguf(bytes) : null!;

describe.runIf(bytes)('stories260K on the CPU engine', () => {
  const cpu = () => CpuForward.create(model.config, model.weights, presetMap(model.config.nLayers, 'f32'), 512);

  for (const g of golden) {
    test(`greedy continuation of ${JSON.stringify(g.prompt)} matches llama2.c`, async () => {
      expect(model.tokenizer.encode(g.prompt, { bos: true })).toEqual(g.prompt_tokens);
      const f = await cpu();
      let logits = f.forwardSync(g.prompt_tokens, 0);
      const out: number[] = [];
      const n = g.prompt_tokens.length + g.greedy_continuation.length;
      for (let pos = g.prompt_tokens.length; pos < n; pos++) {
        const next = argmax(logits);
        out.push(next);
        if (next === 1) break; // llama2.c stops when it samples BOS
        logits = f.forwardSync([next], pos);
      }
      expect(out).toEqual(g.greedy_continuation.slice(0, out.length));
      expect(out.length).toBeGreaterThanOrEqual(Math.min(g.greedy_continuation.length, n - g.prompt_tokens.length));
    });
  }

  test.runIf(refLogits)('log-probabilities match the reference logits within 1e-3 at every position', async () => {
    const vocab = model.config.vocabSize;
    const ref = new Float32Array(refLogits!.buffer.slice(refLogits!.byteOffset, refLogits!.byteOffset + refLogits!.byteLength));
    const positions = ref.length / vocab;
    const g = golden.find((x) => x.prompt === 'Once upon a time')!;
    const seq = [...g.prompt_tokens, ...g.greedy_continuation].slice(0, positions);
    const logits = (await cpu()).forwardSync(seq, 0, true);
    let worst = 0;
    for (let p = 0; p < positions; p++) {
      const a = logSoftmax(ref.subarray(p * vocab, (p + 1) * vocab)), b = logSoftmax(logits.subarray(p * vocab, (p + 1) * vocab));
      for (let i = 0; i < vocab; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    expect(worst).toBeLessThan(1e-3);
  });
});
