// The K-quantized test model (tests/gguf-quant-model.ts) through our own loader and CPU engine: its block
// quantizers are exact inverses of the dequantizers, every tensor keeps its ggml type, the embedded gpt2 vocab
// tokenizes like the default model's tokenizer.json, and the CPU engine runs it in f32 and bf16.
// tests/gpu/llama-cpp.test.ts runs the same file through llama.cpp.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  EMBEDDING_TYPE, f16Bits, LAYER_TYPES, OUTPUT_TYPE, QUANT_MODEL, quantModelGguf, quantize, dequantized, type StoredType,
} from '../gguf-quant-model.ts';
import { halfTable } from '../../workers/loader/dtypes.ts';
import { parseGguf } from '../../workers/loader/gguf.ts';
import { hfTokenizer } from '../../workers/tokenizer/hf.ts';
import { CpuForward } from '../../workers/reference/forward.ts';
import { presetMap } from '../../workers/quant/precision.ts';
import { argmax, mulberry32 } from '../../workers/model/sampler.ts';
import { defaultModelDir } from './default-model.ts';

const tokenizerJson = readFileSync(`${defaultModelDir}tokenizer.json`, 'utf8');
const quant = quantModelGguf({ tokenizerJson });
const PROMPTS = ['Once upon a time', 'The cat sat on the', 'In a small village by the sea,', 'Tom and Lily went to the park'];

describe('the block quantizers', () => {
  it('f16Bits is the inverse of the half table on every finite half, and rounds midpoints to even', () => {
    const half = halfTable();
    for (let h = 0; h < 0x10000; h++) if (Number.isFinite(half[h])) expect(f16Bits(half[h]), `half 0x${h.toString(16)}`).toBe(h);
    expect(f16Bits(1 + 2 ** -11)).toBe(0x3c00); // halfway between 1 and the next half: the even one
    expect(f16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(f16Bits(65520)).toBe(0x7c00);
  });

  // worst error of one element, as a fraction of the block's largest |x| (K-quants with min: of its range)
  const BOUND: Record<Exclude<StoredType, 'F32'>, number> = { Q8_0: 1 / 127, Q4_0: 1 / 7, Q5_0: 1 / 15, Q4_K: 2 / 15, Q5_K: 2 / 31, Q6_K: 1 / 31, F16: 2 ** -11 };
  it.each(Object.keys(BOUND) as (keyof typeof BOUND)[])('%s: quantize then our dequantizer gives x back within a step', (type) => {
    const r = mulberry32(3);
    const x = Float32Array.from({ length: 16 * 256 }, (_, i) => (r() * 2 - 1) * (1 + (i >> 8))); // blocks of growing scale
    const y = dequantized(type, quantize(type, x), x.length);
    for (let i = 0; i < x.length; i++) {
      const scale = type === 'F16' ? Math.abs(x[i]) : 1 + (i >> 8);
      expect(Math.abs(y[i] - x[i]), `${type} element ${i}`).toBeLessThanOrEqual(BOUND[type] * scale);
    }
  });

  it('refuses rows that are not whole blocks', () => {
    expect(() => quantize('Q4_K', new Float32Array(128))).toThrow(/not whole 256-element blocks/);
  });
});

describe('the model file through our loader', () => {
  it('keeps every tensor type and the Llama shape', async () => {
    const m = await parseGguf(quant.bytes, 'quant-mix');
    const dtype = new Map(m.tensors.map((t) => [t.name, t.dtype]));
    expect(dtype.get('token_embd.weight')).toBe(EMBEDDING_TYPE);
    expect(dtype.get('output.weight')).toBe(OUTPUT_TYPE);
    expect(dtype.get('output_norm.weight')).toBe('F32');
    LAYER_TYPES.forEach((types, l) => {
      for (const [matrix, type] of Object.entries(types)) expect(dtype.get(`blk.${l}.${matrix}.weight`), `blk.${l}.${matrix}`).toBe(type);
      expect(dtype.get(`blk.${l}.attn_norm.weight`)).toBe('F32');
    });
    expect(new Set(dtype.values())).toEqual(new Set(['Q4_K', 'Q5_K', 'Q6_K', 'Q8_0', 'Q4_0', 'Q5_0', 'F16', 'F32']));
    expect([...quant.types]).toEqual([...dtype]);
    const c = QUANT_MODEL;
    expect(m.config).toMatchObject({
      dim: c.dim, hiddenDim: c.hiddenDim, nLayers: c.nLayers, nHeads: c.nHeads, nKvHeads: c.nKvHeads, headDim: c.headDim,
      vocabSize: c.vocabSize, contextLength: c.contextLength, ropeTheta: c.ropeTheta, ropeStyle: 'interleaved', tiedEmbeddings: false,
    });
    expect(m.weights.layers[0].wv.dtype).toBe('Q6_K');
  });

  it('its gpt2 vocab tokenizes like the default model\'s tokenizer.json (Llama 3 pre-tokenizer, specials)', async () => {
    const m = await parseGguf(quant.bytes);
    const hf = hfTokenizer(new TextEncoder().encode(tokenizerJson)).tokenizer;
    const texts = [...PROMPTS, "Don't stop: 12345 apples, 3.14 pies!\n\n  spaced\tout", 'Grüße, 世界 🙂', '<|begin_of_text|>Hi<|eot_id|>'];
    for (const t of texts) {
      expect(m.tokenizer.encode(t, { bos: true })).toEqual(hf.encode(t, { bos: true }));
      expect(m.tokenizer.encode(t, { bos: false, specials: true })).toEqual(hf.encode(t, { bos: false, specials: true }));
    }
    expect(m.bosToken).toBe('<|begin_of_text|>');
    expect(m.eosToken).toBe('<|end_of_text|>');
  });

  it('the tied variant drops output.weight and reuses token_embd, stored as the head would be', async () => {
    const tied = quantModelGguf({ tokenizerJson, tied: true });
    const m = await parseGguf(tied.bytes);
    expect(m.config.tiedEmbeddings).toBe(true);
    expect(m.tensors.some((t) => t.name === 'output.weight')).toBe(false);
    expect(m.weights.tokenEmbedding.dtype).toBe(OUTPUT_TYPE);
    const f = await CpuForward.create(m.config, m.weights, presetMap(m.config.nLayers, 'f32'), 32);
    expect(f.forwardSync(m.tokenizer.encode(PROMPTS[0], { bos: true }), 0).every(Number.isFinite)).toBe(true);
  });
});

describe('the CPU engine on it', () => {
  /** Greedy continuation and the top-1 probability and margin of every step. */
  function greedy(f: CpuForward, prompt: number[], steps: number) {
    const tokens: number[] = [], p1: number[] = [], margins: number[] = [];
    let logits = f.forwardSync(prompt, 0);
    for (let i = 0; i < steps; i++) {
      const best = argmax(logits), sorted = Float32Array.from(logits).sort().reverse();
      const z = logits.reduce((s, v) => s + Math.exp(v - sorted[0]), 0);
      tokens.push(best); p1.push(1 / z); margins.push(sorted[0] - sorted[1]);
      logits = f.forwardSync([best], prompt.length + i);
    }
    return { tokens, p1, margins };
  }

  it('runs in f32: peaked next-token distributions, and only predictable tokens win', async () => {
    const m = await parseGguf(quant.bytes);
    const f = await CpuForward.create(m.config, m.weights, presetMap(m.config.nLayers, 'f32'), 64);
    const p1: number[] = [], margins: number[] = [];
    for (const p of PROMPTS) {
      const g = greedy(f, m.tokenizer.encode(p, { bos: true }), 16);
      expect(g.tokens.every((t) => quant.predictable[t])).toBe(true);
      p1.push(...g.p1); margins.push(...g.margins);
    }
    const median = (a: number[]) => a.slice().sort((x, y) => x - y)[a.length >> 1];
    console.info(`f32: top-1 probability median ${median(p1).toFixed(3)}, top-1 - top-2 logit margin median ${median(margins).toFixed(2)}`);
    expect(median(p1)).toBeGreaterThan(0.5);
    expect(median(margins)).toBeGreaterThan(2);
  });

  it('the F32 twin (dequantized values stored as F32) gives the same logits bit for bit', async () => {
    const [m, twin] = await Promise.all([parseGguf(quant.bytes), parseGguf(quantModelGguf({ tokenizerJson, f32: true }).bytes)]);
    expect(twin.tensors.every((t) => t.dtype === 'F32')).toBe(true);
    const map = presetMap(m.config.nLayers, 'f32');
    const [a, b] = await Promise.all([CpuForward.create(m.config, m.weights, map, 32), CpuForward.create(twin.config, twin.weights, map, 32)]);
    const prompt = m.tokenizer.encode(PROMPTS[1], { bos: true });
    expect(Array.from(a.forwardSync(prompt, 0, true))).toEqual(Array.from(b.forwardSync(prompt, 0, true)));
  });

  it('runs in bf16, close to f32', async () => {
    const m = await parseGguf(quant.bytes);
    const f32 = await CpuForward.create(m.config, m.weights, presetMap(m.config.nLayers, 'f32'), 64);
    const bf16 = await CpuForward.create(m.config, m.weights, presetMap(m.config.nLayers, 'bf16'), 64);
    expect(bf16.precision.preset).toBe('bf16');
    let steps = 0, same = 0, worst = 0;
    for (const p of PROMPTS) {
      const prompt = m.tokenizer.encode(p, { bos: true });
      const { tokens } = greedy(f32, prompt, 16);
      const seq = [...prompt, ...tokens.slice(0, -1)];
      const a = f32.forwardSync(seq, 0, true), b = bf16.forwardSync(seq, 0, true); // teacher-forced on f32's tokens
      const V = m.config.vocabSize;
      for (let i = prompt.length - 1; i < seq.length; i++) {
        const ra = a.subarray(i * V, (i + 1) * V), rb = b.subarray(i * V, (i + 1) * V);
        steps++;
        if (argmax(ra) === argmax(rb)) same++;
        for (let j = 0; j < V; j++) worst = Math.max(worst, Math.abs(ra[j] - rb[j]));
      }
    }
    console.info(`bf16 vs f32: top-1 equal at ${same}/${steps} steps, max |Δ logit| ${worst.toFixed(3)}`);
    expect(same / steps).toBeGreaterThan(0.9);
    expect(worst).toBeLessThan(1);
  });
});
