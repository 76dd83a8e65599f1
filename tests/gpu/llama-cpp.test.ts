// Our engine against llama.cpp itself (@wllama/wllama: llama.cpp's server compiled to wasm, single thread, CPU
// backend) on the same K-quantized GGUF, end to end: greedy tokens, logit margins and log-probabilities.
//
// The file (tests/gguf-quant-model.ts) mixes Q4_K, Q5_K, Q6_K, Q8_0, Q4_0, Q5_0, F16 and F32 as a Q4_K_M download
// does. Our engine dequantizes every weight to f32 ('f32' preset) and multiplies in f32. llama.cpp multiplies
// quantized weights by quantized activations: Q8_K (8-bit, one f32 scale per 256) for K-quants, Q8_0 (per 32) for
// the legacy types, f16 for F16 weights. So the two differ by llama.cpp's activation rounding, and near-ties may flip.
// The tests take the sources of difference apart:
//  1. Dequantization, exactly: token_embd in each block type, every other tensor F32. llama.cpp looks rows up with
//     the type's own dequantizer and rounds no activation, so it must agree with us to f32 rounding (|Δ| < 1e-4;
//     measured 2.6e-5 over its top 10 log-probabilities at 256 steps per type).
//  2. The forward pass, exactly: the "F32 twin", every tensor F32 holding the values the quantized bytes decode to.
//     Same agreement (3.4e-5): same RoPE, attention, SwiGLU, norms, and the same prompt tokens.
//  3. The margin threshold, measured: llama.cpp on the quantized file against llama.cpp on its twin, at the steps
//     where both generated the same tokens, is what activation rounding alone does to the top-1 - top-2 logit
//     margin. Measured over 8 prompts x 32 steps: median 0.09, 90% 0.24, 99% 0.36, max 0.41 logits. A step is CLEAR
//     when llama.cpp's margin exceeds CLEAR_MARGIN = 1.0 logit, 2.4x the largest error seen; every run re-measures
//     the error and fails if it reaches half the threshold, or if at a clear step any gap between the top-1 and a
//     top-10 token moved by half its size (measured: 20%).
//  4. The quantized file: at every clear step our argmax (teacher-forced on llama.cpp's tokens, so one flip cannot
//     derail the rest) must be llama.cpp's token, and at least 75% of the steps must be clear (measured 221 of 256,
//     all agreeing; at the 35 near-ties too). Mean |Δ log-probability| of llama.cpp's token: 0.016.
// Then the app's own path (Engine, blob source, tokenizer from the GGUF) generates llama.cpp's greedy tokens.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Wllama, type LoadModelParams } from '@wllama/wllama';
import wasmUrl from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import { gpu } from './harness.ts';
import { quantModelGguf, type QuantModelOptions, type StoredType } from '../gguf-quant-model.ts';
import { loadModel } from '../../workers/loader/index.ts';
import type { LoadedModel } from '../../workers/loader/types.ts';
import { blobSource } from '../../workers/loader/source.ts';
import { createGpuForward } from '../../workers/gpu/forward.ts';
import { CpuForward } from '../../workers/reference/forward.ts';
import { presetMap } from '../../workers/quant/precision.ts';
import type { Forward } from '../../workers/model/forward.ts';
import { Engine } from '../../workers/engine.ts';

const PROMPTS = [
  'Once upon a time', 'The cat sat on the', 'In a small village by the sea,', 'Tom and Lily went to the park',
  'She opened the box and found', 'It was a cold and rainy day.', 'The little robot wanted to', 'Every morning, the old man',
];
const STEPS = 32; // generated tokens per prompt
const TOP_K = 10; // llama.cpp's n_probs: log-probabilities of its 10 most likely tokens per step
/** llama.cpp's top-1 - top-2 logit margin above which the greedy token may not flip (see the header). */
const CLEAR_MARGIN = 1.0;
const MIN_CLEAR = 0.75;
/** |Δ log-probability| allowed where both sides compute in f32 (measured up to 3.4e-5 over llama.cpp's top 10). */
const F32_TOLERANCE = 1e-4;

// llama.cpp's CPU backend (n_gpu_layers 0 also keeps wllama off WebGPU), its KV cache in f32 like ours, no flash
// attention (which would round Q to f16), one thread (no cross-origin isolation in the test page).
const LOAD: LoadModelParams = { n_gpu_layers: 0, n_threads: 1, n_ctx: 512, cache_type_k: 'f32', cache_type_v: 'f32', flash_attn: false };
const quiet = { debug: () => {}, log: () => {}, warn: console.warn, error: console.error };

interface Top { id: number; logprob: number }
/** One greedy completion by llama.cpp: its prompt length, its tokens, and the top TOP_K log-probabilities per step. */
interface LlamaRun { promptTokens: number; tokens: number[]; top: Top[][] }
// llama.cpp's server answers n_probs in its own shape (token ids included), not the legacy OpenAI one wllama's types describe
interface ServerLogprobs { content: { id: number; top_logprobs: Top[] }[] }

async function llamaCpp(bytes: Uint8Array): Promise<LlamaRun[]> {
  const w = new Wllama({ default: wasmUrl }, { logger: quiet, suppressNativeLog: true });
  await w.loadModel([new Blob([bytes as BlobPart])], LOAD);
  try {
    const runs: LlamaRun[] = [];
    for (const prompt of PROMPTS) {
      // temperature 0: llama.cpp's greedy sampler; n_probs are softmax(raw logits), before any sampling step
      const res = await w.createCompletion({ prompt, max_tokens: STEPS, temperature: 0, n_probs: TOP_K });
      const steps = (res.choices[0].logprobs as unknown as ServerLogprobs).content;
      runs.push({ promptTokens: res.usage.prompt_tokens, tokens: steps.map((s) => s.id), top: steps.map((s) => s.top_logprobs) });
    }
    return runs;
  } finally {
    await w.exit();
  }
}

function logSoftmax(x: Float32Array): Float64Array {
  let max = -Infinity, sum = 0;
  for (const v of x) max = Math.max(max, v);
  for (const v of x) sum += Math.exp(v - max);
  const lse = max + Math.log(sum);
  return Float64Array.from(x, (v) => v - lse);
}
const argmax = (a: Float64Array) => a.reduce((b, v, i) => (v > a[b] ? i : b), 0);

/** Our engine teacher-forced on llama.cpp's tokens (one early flip cannot derail the rest): log-probs per step. */
async function teacherForced(f: Forward, prompt: number[], run: LlamaRun): Promise<Float64Array[]> {
  const out: Float64Array[] = [];
  let logits = await f.forward(prompt, 0);
  for (let i = 0; i < run.tokens.length; i++) {
    out.push(logSoftmax(logits));
    if (i + 1 < run.tokens.length) logits = await f.forward([run.tokens[i]], prompt.length + i);
  }
  return out;
}

interface Comparison { steps: number; clear: number; clearAgree: number; agree: number; meanAbs: number; maxAbs: number; maxTopAbs: number; firstFlip: number[] }

/** Step by step against llama.cpp: argmax agreement (where clear), |Δ logprob| of its token and of its top K. */
async function compare(f: Forward, model: LoadedModel, runs: LlamaRun[], clearMargin: number): Promise<Comparison> {
  const c: Comparison = { steps: 0, clear: 0, clearAgree: 0, agree: 0, meanAbs: 0, maxAbs: 0, maxTopAbs: 0, firstFlip: [] };
  for (let p = 0; p < PROMPTS.length; p++) {
    const prompt = model.tokenizer.encode(PROMPTS[p], { bos: true });
    expect(prompt.length, `prompt ${p}: same token count as llama.cpp`).toBe(runs[p].promptTokens);
    const ours = await teacherForced(f, prompt, runs[p]);
    c.firstFlip.push(STEPS);
    ours.forEach((lp, i) => {
      const top = runs[p].top[i], chosen = runs[p].tokens[i];
      expect(top[0].id, 'llama.cpp greedy picks its own top-1').toBe(chosen);
      const d = Math.abs(lp[chosen] - top[0].logprob);
      c.steps++; c.meanAbs += d; c.maxAbs = Math.max(c.maxAbs, d);
      for (const t of top) c.maxTopAbs = Math.max(c.maxTopAbs, Math.abs(lp[t.id] - t.logprob));
      const agree = argmax(lp) === chosen;
      if (agree) c.agree++;
      else c.firstFlip[p] = Math.min(c.firstFlip[p], i);
      if (top[0].logprob - top[1].logprob > clearMargin) {
        c.clear++;
        if (agree) c.clearAgree++;
      }
    });
  }
  c.meanAbs /= c.steps;
  return c;
}

const show = (c: Comparison) => `${c.steps} steps, ${c.clear} clear, ${c.clearAgree} of them agree (${c.agree} overall); ` +
  `|Δ logprob| of llama.cpp's token: mean ${c.meanAbs.toExponential(2)}, max ${c.maxAbs.toExponential(2)}; over its top ${TOP_K}: max ${c.maxTopAbs.toExponential(2)}`;

/** The model file, our loader's view of it, and our engines on it: the CPU engine, and WebGPU when there is an adapter. */
async function ours(options: Omit<QuantModelOptions, 'tokenizerJson'>, withGpu = true) {
  const file = quantModelGguf({ tokenizerJson, ...options });
  const model = await loadModel([{ name: 'model.gguf', source: blobSource('model.gguf', new Blob([file.bytes as BlobPart])) }]);
  const map = presetMap(model.config.nLayers, 'f32'); // dequantized values exactly, multiplied in f32
  const engines: Forward[] = [await CpuForward.create(model.config, model.weights, map, 128)];
  const ctx = withGpu ? await gpu() : null; // CI=true: no adapter fails here
  if (ctx) engines.push(await createGpuForward(model.config, model.weights, map, 128, undefined, ctx));
  else if (withGpu) console.warn('no WebGPU adapter: llama.cpp is compared with the CPU engine only');
  return { file, model, engines };
}

let tokenizerJson = '';
beforeAll(async () => {
  const res = await fetch(`${location.origin}/models/llama31-mini/tokenizer.json`);
  expect(res.ok).toBe(true);
  tokenizerJson = await res.text();
});

describe('llama.cpp (wllama) and our engine on the same K-quantized GGUF', () => {
  const TYPES: StoredType[] = ['Q4_K', 'Q5_K', 'Q6_K', 'Q8_0', 'Q4_0', 'Q5_0', 'F16'];
  test.each(TYPES)('token_embd as %s, the rest F32: llama.cpp dequantizes rows as we do, to f32 rounding', async (type) => {
    // the CPU engine only: the WebGPU engine packs the same dequantized rows, and runs the whole files below
    const { file, model, engines: [cpu] } = await ours({ types: { 'token_embd.weight': type }, f32: (name) => name !== 'token_embd.weight' }, false);
    expect(file.types.get('token_embd.weight')).toBe(type);
    const runs = await llamaCpp(file.bytes);
    const c = await compare(cpu, model, runs, 1e-3);
    const rows = new Set(PROMPTS.flatMap((p, i) => [...model.tokenizer.encode(p, { bos: true }), ...runs[i].tokens])).size;
    console.info(`${type} rows (${rows} distinct looked up), ${cpu.kind}: ${show(c)}`);
    expect(c.maxTopAbs).toBeLessThan(F32_TOLERANCE);
    expect(c.clearAgree).toBe(c.clear);
  }, 300_000);

  let quantRuns: LlamaRun[] = [], twinRuns: LlamaRun[] = [];
  let quant: Awaited<ReturnType<typeof ours>>;
  beforeAll(async () => {
    quant = await ours({});
    quantRuns = await llamaCpp(quant.file.bytes);
    twinRuns = await llamaCpp(quantModelGguf({ tokenizerJson, f32: true }).bytes);
  }, 300_000);
  afterAll(() => quant?.engines.forEach((f) => f.dispose()));

  test('the F32 twin: llama.cpp and our engine run the same forward pass, to f32 rounding', async () => {
    for (const f of quant.engines) {
      const c = await compare(f, quant.model, twinRuns, 1e-3); // our engine on the quantized file computes the twin's model
      console.info(`F32 twin, ${f.kind}: ${show(c)}`);
      expect(c.maxTopAbs).toBeLessThan(F32_TOLERANCE);
      expect(c.clearAgree).toBe(c.clear);
    }
  }, 300_000);

  test('activation rounding alone (llama.cpp on the quantized file vs its F32 twin) stays well inside the clear margin', () => {
    const margin: number[] = []; // error of llama.cpp's top-1 - top-2 logit difference
    let worstRatio = 0; // at clear steps: the largest error of top-1 - b over its size, for every b in the top K
    for (let p = 0; p < PROMPTS.length; p++) {
      for (let i = 0; i < STEPS; i++) {
        const top = quantRuns[p].top[i], [a, b] = top;
        const twin = new Map(twinRuns[p].top[i].map((t) => [t.id, t.logprob]));
        const gapErr = (t: Top) => Math.abs(a.logprob - t.logprob - (twin.get(a.id)! - twin.get(t.id)!));
        if (twin.has(a.id) && twin.has(b.id)) margin.push(gapErr(b));
        if (twin.has(a.id) && a.logprob - b.logprob > CLEAR_MARGIN) {
          for (const t of top.slice(1)) if (twin.has(t.id)) worstRatio = Math.max(worstRatio, gapErr(t) / (a.logprob - t.logprob));
        }
        if (quantRuns[p].tokens[i] !== twinRuns[p].tokens[i]) break; // the runs part here: later steps see other contexts
      }
    }
    margin.sort((x, y) => x - y);
    const q = (u: number) => margin[Math.min(margin.length - 1, Math.floor(u * margin.length))].toFixed(3);
    console.info(`top-1 - top-2 margin error from llama.cpp's activation rounding, over ${margin.length} shared steps: ` +
      `median ${q(0.5)}, 90% ${q(0.9)}, 99% ${q(0.99)}, max ${q(1)}; at clear steps no gap to a top-${TOP_K} token moved by more than ${(100 * worstRatio).toFixed(0)}% of itself`);
    expect(margin.length).toBeGreaterThan(PROMPTS.length * STEPS / 2);
    expect(margin[margin.length - 1]).toBeLessThan(CLEAR_MARGIN / 2);
    expect(worstRatio).toBeLessThan(0.5);
  });

  test(`the quantized file: at every step where llama.cpp's margin exceeds ${CLEAR_MARGIN.toFixed(1)} logit, our greedy token is llama.cpp's`, async () => {
    for (const f of quant.engines) {
      const c = await compare(f, quant.model, quantRuns, CLEAR_MARGIN);
      console.info(`quantized, ${f.kind}: ${show(c)}`);
      expect(c.clear / c.steps, 'too few clear steps for the comparison to mean anything').toBeGreaterThanOrEqual(MIN_CLEAR);
      expect(c.clearAgree).toBe(c.clear);
      expect(c.meanAbs).toBeLessThan(0.05); // measured 0.015: llama.cpp's activation rounding, nothing systematic
    }
  }, 300_000);

  test('the app path (Engine, blob source, the GGUF tokenizer) generates llama.cpp\'s greedy tokens', async () => {
    const ctx = await gpu();
    const e = new Engine({ engine: ctx ? 'webgpu' : 'cpu', baseUrl: `${location.origin}/` });
    const info = await e.load({ kind: 'blobs', files: [{ name: 'model.gguf', blob: new Blob([quant.file.bytes as BlobPart]) }] }, undefined, { precision: 'f32' });
    expect(info.precision.preset).toBe('f32');
    // untied from llama.cpp's tokens, the continuations may part at a near-tie where the argmaxes differ
    const { firstFlip } = await compare(quant.engines[0], quant.model, quantRuns, CLEAR_MARGIN);
    let compared = 0;
    for (let p = 0; p < PROMPTS.length; p++) {
      const r = await e.generate({ prompt: PROMPTS[p], temperature: 0, max_tokens: STEPS });
      expect(r.promptTokens.length).toBe(quantRuns[p].promptTokens);
      expect(r.tokens.slice(0, firstFlip[p])).toEqual(quantRuns[p].tokens.slice(0, firstFlip[p]));
      compared += firstFlip[p];
    }
    e.loaded().forward.dispose();
    console.info(`Engine (${info.engine}) greedy: ${compared} of ${PROMPTS.length * STEPS} tokens equal to llama.cpp's, before any near-tie flip`);
    expect(compared).toBeGreaterThanOrEqual(MIN_CLEAR * PROMPTS.length * STEPS);
  }, 300_000);
});
