// The embedded default model (Hugging Face layout, BF16 safetensors, halves RoPE with llama3 scaling, GQA) on
// the WebGPU engine agrees with the CPU engine: same greedy tokens, logits within f32 summation-order noise.
// Then the row-chunked path: with the storage-binding limit lowered so the embedding, the head and the logits
// are split across buffers, the GPU gives bit for bit what the unsplit run gives.
import { expect, test } from 'vitest';
import { gpu } from './harness.ts';
import { loadModel } from '../../workers/loader/index.ts';
import { openModelFiles } from '../../workers/loader/open.ts';
import { createGpuContext } from '../../workers/gpu/context.ts';
import { createGpuForward } from '../../workers/gpu/forward.ts';
import { CpuForward } from '../../workers/reference/forward.ts';
import { presetMap } from '../../workers/quant/precision.ts';
import { renderChat } from '../../workers/model/chat.ts';
import { argmax } from '../../workers/model/sampler.ts';
import { DEFAULT_MODEL } from '../../workers/engine.ts';
import { slotBytes } from '../../workers/model/slots.ts';
import { wholeModel } from '../../workers/pipeline/split.ts';

const model = await loadModel(await openModelFiles({ kind: 'default' }, `${location.origin}/`, DEFAULT_MODEL));
const prompt = model.tokenizer.encode(renderChat(model, [{ role: 'user', content: 'Tell me a story about a cat.' }]), { bos: false, specials: true });
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

test('the default model loads from public/ and the WebGPU engine agrees with the CPU engine', async () => {
  const ctx = await gpu();
  if (!ctx) return;
  const map = presetMap(model.config.nLayers, 'bf16');
  const gpuF = await createGpuForward(model.config, model.weights, map, 128, undefined, ctx);
  const cpuF = await CpuForward.create(model.config, model.weights, map, 128);
  let g = await gpuF.forward(prompt, 0), c = cpuF.forwardSync(prompt, 0);
  const tokens: number[] = [];
  let worst = 0;
  for (let i = 0; i < 12; i++) {
    for (let j = 0; j < c.length; j++) worst = Math.max(worst, Math.abs(g[j] - c[j]));
    const next = argmax(c);
    expect(argmax(g)).toBe(next);
    tokens.push(next);
    g = await gpuF.forward([next], prompt.length + i);
    c = cpuF.forwardSync([next], prompt.length + i);
  }
  expect(worst).toBeLessThan(2e-3);
  expect(model.tokenizer.decode(tokens).length).toBeGreaterThan(10);
  // the GPU holds exactly the bytes the map says, from the buffers themselves
  expect(gpuF.weightBytes()).toBe(slotBytes(model.config, model.weights, map, wholeModel(model.config)));
  gpuF.dispose();
});

test.each(['bf16', 'fp8-all', 'f32'] as const)('split across buffers at a 256 KiB binding limit, %s: identical outputs', async (preset) => {
  if (!(await gpu())) return;
  const map = presetMap(model.config.nLayers, preset);
  const run = async (bindingLimit?: number) => {
    const ctx = await createGpuContext({ bindingLimit });
    const f = await createGpuForward(model.config, model.weights, map, 128, undefined, ctx);
    const all = await f.forward(prompt, 0, true); // every row's logits: the head and the logits buffer chunked too
    const steps: number[] = [];
    let next = argmax(all.subarray(all.length - model.config.vocabSize));
    for (let i = 0; i < 6; i++) { steps.push(next); next = await f.greedy([next], prompt.length + i); }
    const out = { all, steps, chunk: f.chunk, stats: f.tensorStats() };
    f.dispose();
    return out;
  };
  const whole = await run();
  const split = await run(256 << 10);
  expect(split.chunk).toBeLessThan(whole.chunk); // logit rows per pass shrank to fit the limit
  const embedding = split.stats.find((t) => t.label === 'embedding')!;
  expect(embedding.bytes).toBeGreaterThan(256 << 10); // so it really was split into several buffers
  expect(bits(split.all)).toEqual(bits(whole.all));
  expect(split.steps).toEqual(whole.steps);
});
