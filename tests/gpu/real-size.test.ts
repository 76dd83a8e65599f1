// Real size on the WebGPU engine (SwiftShader here): the generated Llama-3.2-1B-geometry checkpoint read by HTTP
// Range requests from the test server (as from the Hub), packed slab by slab onto the GPU, against PyTorch's
// greedy tokens and log-probabilities; the GPU holds exactly the bytes the precision map says.
import { describe, expect, test } from 'vitest';
import { gpu } from './harness.ts';
import { loadModel } from '../../workers/loader/index.ts';
import { openModelFiles } from '../../workers/loader/open.ts';
import { createGpuForward } from '../../workers/gpu/forward.ts';
import { presetMap } from '../../workers/quant/precision.ts';
import { slotBytes } from '../../workers/model/slots.ts';
import { wholeModel } from '../../workers/pipeline/split.ts';
import { DEFAULT_MODEL } from '../../workers/engine.ts';
import { checkGreedy, checkPromptLogprobs, REFERENCE } from '../real-size-reference.ts';

// vitest.config.ts serves .cache/checkpoints/ here with Range support (scripts/serve-files.ts)
const url = `${location.origin}/__checkpoints__/llama32-1b-2l/`;
const model = await loadModel(await openModelFiles({ kind: 'url', url }, `${location.origin}/`, DEFAULT_MODEL));

describe('Llama-3.2-1B geometry, 2 layers (WebGPU engine)', () => {
  test('bf16 gives PyTorch\'s greedy tokens and log-probabilities within 2e-3; the GPU holds the map\'s bytes', async () => {
    const ctx = await gpu();
    if (!ctx) return;
    const map = presetMap(2, 'bf16');
    let uploaded = 0;
    const f = await createGpuForward(model.config, model.weights, map, 128, (loaded) => { uploaded = loaded; }, ctx);
    expect(uploaded).toBe(768_606_208); // every matrix read once, the tied head not again
    const mem = f.memory();
    expect(mem.device).toEqual({ bf16: slotBytes(model.config, model.weights, map, wholeModel(model.config)) });
    expect(mem.kv).toBe(2 * 2 * 128 * 512 * 4); // k and v, 2 layers, 128 positions, 8 KV heads x 64, f32
    let worst = 0;
    for (const c of REFERENCE.cases) worst = Math.max(worst, await checkGreedy(f, c));
    worst = Math.max(worst, await checkPromptLogprobs(f, REFERENCE.cases[0]));
    console.log(`WebGPU engine vs PyTorch on the 1B-geometry checkpoint: worst |Δ logprob| ${worst.toExponential(2)}`);

    // fp8-all re-reads only the block linears; the embedding (and the head that shares it) stay
    const fp8 = presetMap(2, 'fp8-all');
    let reread = 0;
    await f.setPrecision(fp8, (loaded) => { reread = loaded; });
    expect(reread).toBe(2 * 60_817_408 * 2);
    expect(f.memory().device).toEqual({
      bf16: model.weights.tokenEmbedding.n * 2048 * 2,
      fp8e4m3: slotBytes(model.config, model.weights, fp8, wholeModel(model.config)) - model.weights.tokenEmbedding.n * 2048 * 2,
    });
    f.dispose();
  }, 600_000);
});
