// Pipeline stages in real Web Workers, each with a GPUDevice of its own, the residual stream transferred between
// them: two stages and two micro-batches give bit for bit the logits and tokens of the single-stage GpuForward.
import { describe, expect, test } from 'vitest';
import { gpu } from './harness.ts';
import { readShared } from './shared.ts';
import { parseGguf } from '../../workers/loader/gguf.ts';
import { createGpuForward } from '../../workers/gpu/forward.ts';
import { presetMap } from '../../workers/quant/precision.ts';
import { emptyCache, runLoop } from '../../workers/model/generate.ts';
import type { Forward } from '../../workers/model/forward.ts';
import { sliceWeights, splitLayers } from '../../workers/pipeline/split.ts';
import { workerStage } from '../../workers/spawn.ts';
import { runPipelined } from '../../workers/pipeline/coordinator.ts';

interface Golden { prompt: string; prompt_tokens: number[] }

const bytes = await readShared('models/stories260K/stories260K.gguf');
const goldenBytes = await readShared('golden/stories260K/greedy.json');
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe.runIf(bytes && goldenBytes)('pipeline stages in Web Workers on WebGPU (stories260K)', () => {
  test('p = 2 stages, m = 2 micro-batches: identical logits and greedy tokens to one GpuForward', async () => {
    const ctx = await gpu();
    if (!ctx) return;
    const model = await parseGguf(bytes!);
    const golden = JSON.parse(new TextDecoder().decode(goldenBytes!)) as Golden[];
    const c = model.config, map = presetMap(c.nLayers, 'f32'), maxTokens = 8, greedy = { temperature: 0, topK: 0, topP: 1 };
    const prompts = [golden[0].prompt_tokens, golden[1 % golden.length].prompt_tokens];

    // the reference: generate's token loop on the whole model in one GpuForward, recording the logits it samples
    const f = await createGpuForward(c, model.weights, map, 64, undefined, ctx);
    const want = [];
    for (const prompt of prompts) {
      const seen: Float32Array[] = [];
      const recording = Object.assign(Object.create(f) as Forward, {
        forward: async (t: number[], pos0: number, all?: boolean) => { const l = await f.forward(t, pos0, all); seen.push(l); return l; },
        greedy: undefined, // read the logits, so they can be compared (the GPU argmax path returns only the id)
      });
      const r = await runLoop(recording, model.tokenizer, { promptTokens: prompt, maxTokens, sampling: greedy, seed: 0, stop: [], topLogprobs: null }, emptyCache(), () => {}, () => false);
      want.push({ tokens: r.tokens, logits: seen });
    }
    f.dispose();

    const layers = splitLayers(c.nLayers, 2);
    const stages = layers.map((_, s) => workerStage(s));
    try {
      const infos = await Promise.all(stages.map((stage, s) => {
        const { weights, buffers } = sliceWeights(c, model.weights, layers[s][0], layers[s][1], true);
        return stage.load({ config: c, weights, precision: map, maxSeq: 64, slots: 2, engine: 'webgpu' }, buffers);
      }));
      expect(infos.map((i) => i.engine)).toEqual(['webgpu', 'webgpu']);
      const got = prompts.map(() => [] as Float32Array[]);
      const r = await runPipelined(stages, { prompts, maxTokens, sampling: greedy, seed: 0, eosIds: model.tokenizer.eosIds },
        { onLogits: (j, i, logits) => { got[j][i] = logits; } });
      for (let j = 0; j < prompts.length; j++) {
        expect(r.sequences[j].tokens).toEqual(want[j].tokens);
        expect(got[j].map(bits)).toEqual(want[j].logits.map(bits));
      }
      // both stages report each forward, GPU time where the adapter has timestamp queries
      expect(r.timeline.filter((s) => s.stage === 0)).toHaveLength(r.timeline.length / 2);
      for (const s of r.timeline) {
        expect(s.end).toBeGreaterThanOrEqual(s.start);
        if (infos[s.stage].gpuTimestamps) expect(s.gpuMs).not.toBeNull();
      }
      console.log(`pipeline p=2 m=2 on ${infos[0].adapter} (timestamps: ${infos[0].gpuTimestamps}): ${r.timeline.length} spans in ${r.wallMs.toFixed(0)} ms`);
    } finally {
      for (const s of stages) s.dispose();
    }
  });
});
