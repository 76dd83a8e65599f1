// The WebGPU engine's debug pass against the CPU engine's trace: same model, same precision, same request.
// Attention probabilities (computed on the host from the GPU's q and K cache) within 1e-4, residual norms within
// 1e-4 relative, the logit lens's top tokens equal where the margin is clear, FFN values close. The debug pass
// leaves the real pass alone: its logits are a plain forward's, bit for bit. Then the Engine in the browser: a
// trace on WebGPU, and the tokenizer comparison reading the reference files from the URLs Vite gives.
import { describe, expect, test } from 'vitest';
import { gpu } from './harness.ts';
import { readShared } from './shared.ts';
import { loadModel } from '../../workers/loader/index.ts';
import { openModelFiles } from '../../workers/loader/open.ts';
import { parseGguf } from '../../workers/loader/gguf.ts';
import type { LoadedModel } from '../../workers/loader/types.ts';
import { createGpuForward } from '../../workers/gpu/forward.ts';
import { createGpuContext } from '../../workers/gpu/context.ts';
import { CpuForward } from '../../workers/reference/forward.ts';
import { presetMap } from '../../workers/quant/precision.ts';
import { planTrace, topTokens, type TraceCapture } from '../../workers/model/trace.ts';
import { DEFAULT_MODEL, Engine, storedPreset } from '../../workers/engine.ts';

const TEXT = 'Once upon a time, a little cat sat on the warm mat and looked at the sun.';
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
const maxAbs = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

const stories = await readShared('models/stories260K/stories260K.gguf');
const MODELS: { name: string; load: () => Promise<LoadedModel> }[] = [
  { name: DEFAULT_MODEL, load: async () => loadModel(await openModelFiles({ kind: 'default' }, `${location.origin}/`, DEFAULT_MODEL)) },
  ...(stories ? [{ name: 'stories260K', load: () => parseGguf(stories) }] : []),
];

describe.each(MODELS)('the GPU debug pass against the CPU trace: $name', ({ load }) => {
  test('same attention, norms, lens, FFN, embedding and logits; the real pass undisturbed', async () => {
    if (!(await gpu())) return;
    const ctx = await createGpuContext(); // its own device: dispose() below destroys it
    const model = await load(), c = model.config;
    const map = presetMap(c.nLayers, storedPreset(model));
    const gpuF = await createGpuForward(c, model.weights, map, 128, undefined, ctx);
    const cpuF = await CpuForward.create(c, model.weights, map, 128);
    const plan = (layer: number, position: number) => planTrace({ text: TEXT, attention: { layer }, residualNorms: true, logitLens: { topK: 5 },
      ffn: { layer, position }, embedding: { position }, logits: true }, model.tokenizer, c, 128);
    const n = plan(0, 0).tokens.length;
    const plain = await gpuF.forward(plan(0, 0).tokens, 0);
    for (const [layer, position] of [[0, 1], [c.nLayers - 1, n - 1]]) {
      const p = plan(layer, position);
      const g: TraceCapture = await gpuF.trace(p), want = await cpuF.trace(p);
      // attention: every head, every row; rows still sum to 1 and stay causal
      expect(g.attention).toHaveLength(c.nHeads);
      for (let h = 0; h < c.nHeads; h++) {
        expect(maxAbs(g.attention![h], want.attention![h])).toBeLessThan(1e-4);
        for (let i = 0; i < n; i++) {
          expect(Math.abs(g.attention![h].subarray(i * n, (i + 1) * n).reduce((s, x) => s + x, 0) - 1)).toBeLessThan(1e-5);
          for (let j = i + 1; j < n; j++) expect(g.attention![h][i * n + j]).toBe(0);
        }
      }
      // residual norms after the embedding and every layer
      expect(g.norms).toHaveLength(c.nLayers + 1);
      g.norms!.forEach((norms, s) => norms.forEach((x, r) => expect(Math.abs(x - want.norms![s][r]) / want.norms![s][r]).toBeLessThan(1e-4)));
      // logit lens: the top token of each layer where its lead over the runner-up is clear
      g.lens!.forEach((logits, l) => {
        const [a, b] = topTokens(want.lens![l], 2);
        if (a.prob - b.prob > 0.02) expect(topTokens(logits, 1)[0].id, `layer ${l}`).toBe(a.id);
        expect(maxAbs(logits, want.lens![l])).toBeLessThan(5e-3);
      });
      expect(bits(g.lens!.at(-1)!)).toEqual(bits(g.logits!)); // the last layer's lens is the model's logits
      // FFN of one position: gate, up, act
      for (const k of ['gate', 'up', 'act'] as const) {
        const scale = Math.max(1, ...want.ffn![k].map(Math.abs));
        expect(maxAbs(g.ffn![k], want.ffn![k]) / scale, k).toBeLessThan(1e-4);
      }
      expect(bits(g.embedding!)).toEqual(bits(want.embedding!));
      expect(maxAbs(g.logits!, want.logits!)).toBeLessThan(2e-3);
      expect(bits(g.logits!)).toEqual(bits(plain));
    }
    // after the debug passes the engine's own pass gives what it gave before
    expect(bits(await gpuF.forward(plan(0, 0).tokens, 0))).toEqual(bits(plain));
    // a plan that asks for nothing runs nothing
    expect(await gpuF.trace(planTrace({ text: TEXT }, model.tokenizer, c, 128))).toEqual({});
    gpuF.dispose();
  });
});

describe('the engine in the browser', () => {
  test('traces on WebGPU and compares tokenizers read from the bundled files', async () => {
    if (!(await gpu())) return;
    const engine = new Engine({ engine: 'webgpu', baseUrl: `${location.origin}/` });
    const info = await engine.load({ kind: 'default' });
    const r = await engine.trace({ text: TEXT, attention: { layer: 0 }, logitLens: { topK: 3, position: 2 } });
    expect(r.engine).toBe('webgpu');
    expect(r.attention!.probs[0].length).toBe(r.tokens.length ** 2);
    expect(r.logitLens!.map((e) => e.top.length)).toEqual(Array(r.logitLens!.length).fill(3));
    await expect(engine.trace({ tokens: Array(200).fill(1) })).rejects.toThrow(/at most 128 tokens/);
    const cmp = await engine.compareTokenizers('Hello world!\n');
    expect(cmp.readings.map((x) => [x.id, x.vocabSize])).toEqual([['model', info.config.vocabSize], ['llama2', 32000], ['llama3', 128256]]);
    expect(cmp.readings[2].tokens.map((t) => t.id)).toEqual([9906, 1917, 4999]); // Llama 3: "Hello", " world", "!\n"
  });
});
