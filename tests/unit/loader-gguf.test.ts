// GGUF loading: the real stories260K from ../shared, and tiny files written in memory by gguf-writer.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { haveShared, sharedPath } from './shared.ts';
import { parseGguf } from '../../workers/loader/gguf.ts';
import { loadModelFromBytes } from '../../workers/loader/index.ts';
import { readF32 } from '../../workers/model/tensor.ts';
import { f32Bytes, tinyLlama, TINY } from './gguf-writer.ts';

const STORIES = sharedPath('models/stories260K/stories260K.gguf');
const GOLDEN = sharedPath('golden/stories260K/greedy.json');

describe.skipIf(!haveShared('the stories260K loader cases', 'models/stories260K/stories260K.gguf', 'golden/stories260K/greedy.json'))('stories260K.gguf (../shared)', () => {
  const load = () => parseGguf(new Uint8Array(readFileSync(STORIES)), 'stories260K');
  const golden = () => JSON.parse(readFileSync(GOLDEN, 'utf8')) as { prompt: string; prompt_tokens: number[]; greedy_continuation: number[]; text: string }[];

  it('maps the llama metadata to the config', async () => {
    const m = await load();
    expect(m.config).toMatchObject({
      architecture: 'llama', nLayers: 5, dim: 64, nHeads: 8, nKvHeads: 4, headDim: 8, vocabSize: 512, hiddenDim: 172,
      ropeTheta: 10000, ropeScaling: null, ropeStyle: 'interleaved', tiedEmbeddings: false,
    });
    expect(m.format).toBe('gguf');
    expect(m.name).toBe('stories260K');
    expect(m.bosToken).toBe('<s>');
    expect(m.eosToken).toBe('</s>');
    expect(m.tokenizer.bosId).toBe(1);
    expect(m.tokenizer.eosIds).toEqual([2]);
  });

  it('finds every weight with the config shape (read from the file when asked)', async () => {
    const { config: c, weights: w, tensors } = await load();
    expect([w.tokenEmbedding.n, w.tokenEmbedding.k]).toEqual([512, 64]);
    expect(w.output).not.toBe(w.tokenEmbedding);
    expect(w.layers).toHaveLength(5);
    expect([w.layers[4].w1.n, w.layers[4].w1.k]).toEqual([c.hiddenDim, c.dim]);
    expect([w.layers[4].w2.n, w.layers[4].w2.k]).toEqual([c.dim, c.hiddenDim]);
    expect([w.layers[0].wk.n, w.layers[0].wk.k]).toEqual([32, 64]);
    expect(tensors.find((t) => t.name === 'blk.0.attn_k.weight')).toEqual({ name: 'blk.0.attn_k.weight', shape: [32, 64], dtype: 'F32', bytes: 32 * 64 * 4 });
    const matrices = [w.tokenEmbedding, ...w.layers.flatMap((l) => [l.wq, l.wk, l.wv, l.wo, l.w1, l.w3, l.w2])];
    for (const a of [w.finalNorm, ...w.layers.flatMap((l) => [l.attnNorm, l.ffnNorm]), ...await Promise.all(matrices.map(readF32))]) {
      expect(a.every(Number.isFinite)).toBe(true);
    }
  });

  it('encodes the three golden prompts to llama2.c tokens and decodes the continuations', async () => {
    const { tokenizer } = await load();
    for (const g of golden()) {
      expect(tokenizer.encode(g.prompt)).toEqual(g.prompt_tokens);
      // llama2.c prints a final newline after generating
      expect(tokenizer.decode([...g.prompt_tokens, ...g.greedy_continuation]) + '\n').toBe(g.text);
    }
    expect(tokenizer.encode('Once upon a time')).toEqual([1, 403, 407, 261, 378]);
  });

  it('is loaded by loadModelFromBytes from a file name and bytes', async () => {
    const b = readFileSync(STORIES);
    const m = await loadModelFromBytes([{ name: 'models/stories260K.gguf', bytes: b.buffer.slice(b.byteOffset, b.byteOffset + b.length) }]);
    expect(m.name).toBe('stories260K');
    expect(m.config.nLayers).toBe(5);
  });
});

describe('tiny GGUF written in memory', () => {
  it('maps tensors to LlamaWeights row-major W[n][k]', async () => {
    const { bytes, values } = tinyLlama();
    const m = await parseGguf(bytes);
    expect(m.name).toBe('tiny');
    expect(m.config).toMatchObject({ ...TINY, contextLength: 64, tiedEmbeddings: false, ropeStyle: 'interleaved' });
    expect(m.config.normEps).toBeCloseTo(1e-5, 10);
    const w = m.weights;
    expect(await readF32(w.tokenEmbedding)).toEqual(values.get('token_embd.weight'));
    expect(await readF32(w.layers[1].wq)).toEqual(values.get('blk.1.attn_q.weight'));
    expect(await readF32(w.layers[1].wo)).toEqual(values.get('blk.1.attn_output.weight'));
    expect(await readF32(w.layers[0].w1)).toEqual(values.get('blk.0.ffn_gate.weight'));
    expect(await readF32(w.layers[0].w3)).toEqual(values.get('blk.0.ffn_up.weight'));
    expect(await readF32(w.layers[0].w2)).toEqual(values.get('blk.0.ffn_down.weight'));
    expect(w.finalNorm).toEqual(values.get('output_norm.weight'));
    expect(await readF32(w.output)).toEqual(values.get('output.weight'));
    expect(m.tensors.find((t) => t.name === 'blk.0.ffn_down.weight')?.shape).toEqual([TINY.dim, TINY.hiddenDim]);
  });

  it('ties the output head to the embedding when output.weight is absent', async () => {
    const m = await parseGguf(tinyLlama({ replace: { 'output.weight': null } }).bytes);
    expect(m.config.tiedEmbeddings).toBe(true);
    expect(m.weights.output).toBe(m.weights.tokenEmbedding);
  });

  it('reads GGUF v2, a larger alignment, key_length, rope base and llama3 scaling keys', async () => {
    const m = await parseGguf(tinyLlama({
      version: 2,
      alignment: 64,
      kv: [
        ['general.alignment', { t: 'u32', v: 64 }],
        ['llama.attention.key_length', { t: 'u32', v: 8 }],
        ['llama.rope.freq_base', { t: 'f32', v: 500000 }],
        ['llama.rope.scaling.type', { t: 'string', v: 'llama3' }],
        ['llama.rope.scaling.factor', { t: 'f32', v: 8 }],
        ['llama.rope.scaling.low_freq_factor', { t: 'f32', v: 1 }],
        ['llama.rope.scaling.high_freq_factor', { t: 'f32', v: 4 }],
        ['llama.rope.scaling.original_context_length', { t: 'u32', v: 8192 }],
        ['tokenizer.ggml.eot_token_id', { t: 'u32', v: 0 }],
        ['tokenizer.chat_template', { t: 'string', v: '{{ bos_token }}' }],
      ],
    }).bytes);
    expect(m.config.ropeTheta).toBe(500000);
    expect(m.config.ropeScaling).toEqual({ type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 });
    expect(m.tokenizer.eosIds).toEqual([2, 0]);
    expect(m.chatTemplate).toBe('{{ bos_token }}');
  });

  it('recognises llama.cpp rope_freqs.weight as Llama 3.1 scaling', async () => {
    // headDim 8, theta 1e8: frequencies 1e8^(-i/4) = 1, 1e-2, 1e-4, 1e-6; wavelengths 2pi*(1, 100, 1e4, 1e6) against
    // the thresholds 8192/4 and 8192: divisor 1, 1, factor, factor
    const rope = { name: 'rope_freqs.weight', dims: [4], type: 0, data: f32Bytes([1, 1, 8, 8]) };
    const theta: [string, { t: 'f32'; v: number }] = ['llama.rope.freq_base', { t: 'f32', v: 1e8 }];
    expect((await parseGguf(tinyLlama({ kv: [theta] }).bytes)).config.ropeScaling).toBeNull();
    const m = await parseGguf(tinyLlama({ kv: [theta], replace: { 'output.weight': rope } }).bytes); // rope_freqs in place of the head
    expect(m.config.ropeScaling).toEqual({ type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 });
  });
});
