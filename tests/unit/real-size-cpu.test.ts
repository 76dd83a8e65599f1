// Real size on the CPU engine: a Llama-3.2-1B-geometry checkpoint (dim 2048, 128,256-token vocabulary, tied
// embeddings, llama3 RoPE x32, two BF16 safetensors shards + index, the real Llama 3 tokenizer) generated at test
// time (tests/checkpoint-setup.ts), read from disk by range, against PyTorch's logits for the same file.
import { inject, describe, expect, test } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../../workers/loader/index.ts';
import { CpuForward } from '../../workers/reference/forward.ts';
import { presetMap } from '../../workers/quant/precision.ts';
import { fileSource } from '../../scripts/cli/node-source.ts';
import { checkGreedy, checkPromptLogprobs, REFERENCE } from '../real-size-reference.ts';

const dir = inject('checkpointDir');
const files = readdirSync(dir).map((f) => ({ name: `llama32-1b-2l/${f}`, source: fileSource(join(dir, f)) }));
const model = await loadModel(files);

describe('Llama-3.2-1B geometry, 2 layers, BF16 (CPU engine)', () => {
  test('is read as the Hugging Face config says, and tokenizes as @lenml/tokenizers did', () => {
    expect(model.config).toMatchObject({ dim: 2048, hiddenDim: 8192, nHeads: 32, nKvHeads: 8, headDim: 64, vocabSize: 128256, tiedEmbeddings: true });
    expect(model.weights.output).toBe(model.weights.tokenEmbedding); // one tensor, so one packing
    expect(model.weights.layers[1].w2.dtype).toBe('BF16');
    for (const c of REFERENCE.cases.filter((x) => x.name !== 'chat')) expect(model.tokenizer.encode(c.text, { bos: true }), c.name).toEqual(c.ids);
  });

  test('bf16 (the stored precision) gives PyTorch\'s greedy tokens and log-probabilities within 2e-3', async () => {
    const f = await CpuForward.create(model.config, model.weights, presetMap(2, 'bf16'), 256);
    expect(f.weightBytes()).toBe(model.weights.tokenEmbedding.n * 2048 * 2 + 2 * 60_817_408 * 2); // embedding (= the head) + 2 layers, BF16
    let worst = 0;
    for (const c of REFERENCE.cases) worst = Math.max(worst, await checkPromptLogprobs(f, c), await checkGreedy(f, c));
    console.log(`CPU engine vs PyTorch on the 1B-geometry checkpoint: worst |Δ logprob| ${worst.toExponential(2)}`);
    f.dispose();
  }, 300_000);

  test('f32 over a BF16 file computes the same, held as BF16 (exact)', async () => {
    const f = await CpuForward.create(model.config, model.weights, presetMap(2, 'f32'), 64);
    expect(f.weightBytes()).toBe(model.weights.tokenEmbedding.n * 2048 * 2 + 2 * 60_817_408 * 2);
    await checkGreedy(f, REFERENCE.cases[0]);
    f.dispose();
  }, 300_000);
});
