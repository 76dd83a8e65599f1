// The embedded default model (Hugging Face layout, BF16 safetensors, halves RoPE with llama3 scaling, GQA) on
// the WebGPU engine agrees with the CPU engine: same greedy tokens, logits within f32 summation-order noise.
import { expect, test } from 'vitest';
import { gpu } from './harness.ts';
import { loadModelFromBytes } from '../../workers/loader/index.ts';
import { createGpuForward } from '../../workers/gpu/forward.ts';
import { CpuForward } from '../../workers/reference/forward.ts';
import { presetMap } from '../../workers/quant/precision.ts';
import { renderChat } from '../../workers/model/chat.ts';
import { argmax } from '../../workers/model/sampler.ts';
import { DEFAULT_MODEL, DEFAULT_MODEL_FILES } from '../../workers/engine.ts';

test('the default model loads from public/ and the WebGPU engine agrees with the CPU engine', async () => {
  const ctx = await gpu();
  if (!ctx) return;
  const files = await Promise.all(DEFAULT_MODEL_FILES.map(async (f) => {
    const r = await fetch(`/models/${DEFAULT_MODEL}/${f}`);
    expect(r.ok, f).toBe(true);
    return { name: `${DEFAULT_MODEL}/${f}`, bytes: await r.arrayBuffer() };
  }));
  const model = loadModelFromBytes(files);
  const prompt = model.tokenizer.encode(renderChat(model, [{ role: 'user', content: 'Tell me a story about a cat.' }]), { bos: false, specials: true });
  const map = presetMap(model.config.nLayers, 'bf16');
  const gpuF = await createGpuForward(model.config, model.weights, map, 128, undefined, ctx);
  const cpuF = new CpuForward(model.config, model.weights, map, 128);
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
  gpuF.dispose();
});
