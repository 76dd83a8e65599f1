// The WebGPU engine against llama2.c on stories260K (greedy continuations, log-probabilities within 1e-3), and
// against the CPU engine under every precision preset (same precision map, same decisions).
import { describe, expect, test } from 'vitest';
import { gpu } from './harness.ts';
import { readShared } from './shared.ts';
import { parseGguf } from '../../workers/loader/gguf.ts';
import { createGpuForward } from '../../workers/gpu/forward.ts';
import { createGpuContext } from '../../workers/gpu/context.ts';
import { CpuForward } from '../../workers/reference/forward.ts';
import { presetMap } from '../../workers/quant/precision.ts';
import { argmax } from '../../workers/model/sampler.ts';
import { PRESETS } from '../../workers/quant/types.ts';

interface Golden { prompt: string; prompt_tokens: number[]; greedy_continuation: number[] }

function logSoftmax(x: Float32Array): Float64Array {
  const max = x.reduce((a, b) => Math.max(a, b), -Infinity);
  const lse = max + Math.log(x.reduce((s, v) => s + Math.exp(v - max), 0));
  return Float64Array.from(x, (v) => v - lse);
}

const bytes = await readShared('models/stories260K/stories260K.gguf');
const goldenBytes = await readShared('golden/stories260K/greedy.json');
const refBytes = await readShared('golden/stories260K/logits-once-upon-a-time.f32');

const model = bytes ? await parseGguf(bytes) : null!;
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe.runIf(bytes && goldenBytes)('stories260K on the WebGPU engine', async () => {
  const golden = JSON.parse(new TextDecoder().decode(goldenBytes!)) as Golden[];
  const vocab = model.config.vocabSize;

  test('greedy continuations match llama2.c token for token (prefill in one pass, then decode)', async () => {
    const ctx = await gpu();
    if (!ctx) return;
    const f = await createGpuForward(model.config, model.weights, presetMap(model.config.nLayers, 'f32'), 512, undefined, ctx);
    for (const g of golden) {
      let logits = await f.forward(g.prompt_tokens, 0);
      const out: number[] = [];
      const steps = Math.min(g.greedy_continuation.length, 120);
      for (let i = 0; i < steps; i++) {
        const next = argmax(logits);
        out.push(next);
        if (next === 1) break;
        logits = await f.forward([next], g.prompt_tokens.length + i);
      }
      expect(out).toEqual(g.greedy_continuation.slice(0, out.length));
    }
    expect(f.lastTiming.hostMs).toBeGreaterThan(0);
  });

  test('the engine decodes greedily with a 4-byte readback and still matches llama2.c', async () => {
    const ctx = await gpu();
    if (!ctx) return;
    const f = await createGpuForward(model.config, model.weights, presetMap(model.config.nLayers, 'f32'), 512, undefined, ctx);
    const g = golden[1];
    let next = await f.greedy(g.prompt_tokens, 0);
    const out = [next];
    for (let i = 0; i < 40; i++) out.push(next = await f.greedy([next], g.prompt_tokens.length + i));
    expect(out).toEqual(g.greedy_continuation.slice(0, out.length));
  });

  test.runIf(refBytes)('log-probabilities match the reference within 1e-3 at every position', async () => {
    const ctx = await gpu();
    if (!ctx) return;
    const f = await createGpuForward(model.config, model.weights, presetMap(model.config.nLayers, 'f32'), 512, undefined, ctx);
    const ref = new Float32Array(refBytes!.buffer, refBytes!.byteOffset, refBytes!.byteLength / 4);
    const positions = ref.length / vocab;
    const g = golden.find((x) => x.prompt === 'Once upon a time')!;
    const seq = [...g.prompt_tokens, ...g.greedy_continuation].slice(0, positions);
    const logits = await f.forward(seq, 0, true);
    let worst = 0;
    for (let p = 0; p < positions; p++) {
      const a = logSoftmax(ref.subarray(p * vocab, (p + 1) * vocab)), b = logSoftmax(logits.subarray(p * vocab, (p + 1) * vocab));
      for (let i = 0; i < vocab; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    expect(worst).toBeLessThan(1e-3);
  });

  test('every precision preset agrees with the CPU twin, and switching re-packs in place', async () => {
    const ctx = await gpu();
    if (!ctx) return;
    const seq = golden[0].prompt_tokens.concat(golden[0].greedy_continuation.slice(0, 27));
    const f = await createGpuForward(model.config, model.weights, presetMap(model.config.nLayers, 'f32'), 64, undefined, ctx);
    const bytesByPreset: Record<string, number> = {};
    for (const preset of PRESETS) {
      const map = presetMap(model.config.nLayers, preset);
      await f.setPrecision(map);
      bytesByPreset[preset] = f.weightBytes();
      const got = await f.forward(seq, 0, true);
      const want = (await CpuForward.create(model.config, model.weights, map, 64)).forwardSync(seq, 0, true);
      let worst = 0, agree = 0;
      for (let p = 0; p < seq.length; p++) {
        const a = logSoftmax(want.subarray(p * vocab, (p + 1) * vocab)), b = logSoftmax(got.subarray(p * vocab, (p + 1) * vocab));
        for (let i = 0; i < vocab; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
        if (argmax(want.subarray(p * vocab, (p + 1) * vocab)) === argmax(got.subarray(p * vocab, (p + 1) * vocab))) agree++;
      }
      expect(agree / seq.length, preset).toBeGreaterThanOrEqual(0.97);
      expect(worst, preset).toBeLessThan(preset === 'f32' || preset === 'bf16' ? 1e-3 : 2e-2);
    }
    expect(bytesByPreset.bf16).toBeLessThan(bytesByPreset.f32 * 0.51);
    expect(bytesByPreset['fp8-all']).toBeLessThan(bytesByPreset['fp8-llama3']);
    expect(bytesByPreset['fp8-llama3']).toBeLessThan(bytesByPreset.bf16);
  });

  test.each(['f32', 'fp8-llama3'] as const)('split into row chunks at a 32 KiB binding limit (%s): identical outputs', async (preset) => {
    if (!(await gpu())) return;
    const map = presetMap(model.config.nLayers, preset);
    const seq = golden[0].prompt_tokens.concat(golden[0].greedy_continuation.slice(0, 20));
    const run = async (bindingLimit?: number) => {
      const f = await createGpuForward(model.config, model.weights, map, 64, undefined, await createGpuContext({ bindingLimit }));
      const logits = await f.forward(seq, 0, true);
      const greedy = await f.greedy([seq[seq.length - 1]], seq.length);
      const out = { logits, greedy, chunk: f.chunk, bytes: f.weightBytes() };
      f.dispose();
      return out;
    };
    const whole = await run(), split = await run(32 << 10);
    expect(split.chunk).toBeLessThan(seq.length); // the prefill ran in several passes
    expect(split.bytes).toBe(whole.bytes);
    expect(bits(split.logits)).toEqual(bits(whole.logits));
    expect(split.greedy).toBe(whole.greedy);
  });
});
