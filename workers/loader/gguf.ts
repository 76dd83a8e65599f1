// GGUF -> LoadedModel: the Llama config from `llama.*` metadata, the `blk.N.*` weight tensors (by reference), the tokenizer.
// References: ggml/docs/gguf.md (standardized key names, tensor names); llama.cpp convert_hf_to_gguf.py (LlamaModel:
// Q/K rows permuted so RoPE pairs are interleaved; Llama 3.1 scaling stored as the rope_freqs.weight tensor).
import { validateConfig, type LlamaConfig, type RopeScaling } from '../model/config.ts';
import type { LayerWeights } from '../model/weights.ts';
import { readF32, type WeightTensor } from '../model/tensor.ts';
import type { LoadedModel } from './types.ts';
import { printable, readGgufFrom, type GgufFile, type GgufTensor, type GgufValue } from './gguf-reader.ts';
import { ggufTokenizer } from './gguf-tokenizer.ts';
import { assembleWeights, checkTensor, type WeightNames } from './llama-weights.ts';
import { llama3Factors } from './rope-scaling.ts';
import { memorySource, type ByteSource } from './source.ts';

const GGUF_LAYER: Record<keyof LayerWeights, string> = {
  attnNorm: 'attn_norm', wq: 'attn_q', wk: 'attn_k', wv: 'attn_v', wo: 'attn_output',
  ffnNorm: 'ffn_norm', w1: 'ffn_gate', w3: 'ffn_up', w2: 'ffn_down',
};
export const GGUF_NAMES: WeightNames = {
  embedding: 'token_embd.weight',
  finalNorm: 'output_norm.weight',
  output: 'output.weight',
  layer: (l, w) => `blk.${l}.${GGUF_LAYER[w]}.weight`,
};

/** Reads a number from metadata; `fallback` undefined means the key is required. */
function num(meta: Map<string, GgufValue>, key: string, fallback?: number): number {
  let v = meta.get(key);
  // some converters write per-layer arrays (e.g. feed_forward_length); a Llama has one value for all layers
  if (typeof v === 'object' && !Array.isArray(v) && v.length > 0) {
    const first = v[0];
    if (v.every((x: number) => x === first)) v = first;
  }
  if (v === undefined && fallback !== undefined) return fallback;
  if (v === undefined) throw new Error(`GGUF metadata is missing ${key}`);
  if (typeof v !== 'number') throw new Error(`GGUF metadata ${key} should be a number`);
  return v;
}

async function ropeScaling(file: GgufFile, source: ByteSource, arch: string, headDim: number, theta: number): Promise<RopeScaling | null> {
  const meta = file.metadata;
  const type = meta.get(`${arch}.rope.scaling.type`);
  const factor = num(meta, `${arch}.rope.scaling.factor`, 1);
  const original = num(meta, `${arch}.rope.scaling.original_context_length`, 8192);
  if (type === 'llama3') {
    return {
      type: 'llama3', factor,
      lowFreqFactor: num(meta, `${arch}.rope.scaling.low_freq_factor`, 1),
      highFreqFactor: num(meta, `${arch}.rope.scaling.high_freq_factor`, 4),
      originalMaxPositions: original,
    };
  }
  if (type !== undefined && type !== 'none' && factor !== 1) throw new Error(`unsupported RoPE scaling "${printable(String(type))}": supported llama3`);
  // llama.cpp writes Llama 3.1 scaling as per-frequency divisors; recognise them as the standard recipe
  const freqs = file.tensors.find((t) => t.name === 'rope_freqs.weight');
  if (!freqs) return null;
  const got = await readF32(checkTensor(tensorOf(freqs, source), 1, headDim / 2));
  const max = got.reduce((a, b) => Math.max(a, b), 1);
  const s: RopeScaling = { type: 'llama3', factor: max, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: original };
  const want = llama3Factors(s, headDim, theta);
  if (want.some((w, i) => Math.abs(w - got[i]) > 1e-3 * w)) {
    throw new Error('rope_freqs.weight does not match Llama 3 RoPE scaling (factor, low 1, high 4): unsupported');
  }
  return s;
}

export async function ggufConfig(file: GgufFile, source: ByteSource): Promise<LlamaConfig> {
  const meta = file.metadata;
  const arch = meta.get('general.architecture');
  if (arch !== 'llama') throw new Error(`unsupported architecture "${printable(String(arch))}": this playground runs llama models`);
  const dim = num(meta, 'llama.embedding_length');
  const nHeads = num(meta, 'llama.attention.head_count');
  const headDim = num(meta, 'llama.attention.key_length', dim / nHeads);
  const ropeTheta = num(meta, 'llama.rope.freq_base', 10000);
  const tokens = meta.get('tokenizer.ggml.tokens');
  const embd = file.tensors.find((t) => t.name === GGUF_NAMES.embedding);
  const vocabSize = num(meta, 'llama.vocab_size', Array.isArray(tokens) ? tokens.length : embd?.dims[1] ?? 0);
  return validateConfig({
    architecture: 'llama',
    dim,
    hiddenDim: num(meta, 'llama.feed_forward_length'),
    nLayers: num(meta, 'llama.block_count'),
    nHeads,
    nKvHeads: num(meta, 'llama.attention.head_count_kv', nHeads),
    headDim,
    vocabSize,
    contextLength: num(meta, 'llama.context_length'),
    normEps: num(meta, 'llama.attention.layer_norm_rms_epsilon'),
    ropeTheta,
    ropeScaling: Number.isInteger(headDim) ? await ropeScaling(file, source, 'llama', headDim, ropeTheta) : null,
    ropeStyle: 'interleaved',
    tiedEmbeddings: !file.tensors.some((t) => t.name === GGUF_NAMES.output),
  });
}

/** A tensor of the file as [rows, cols]: GGUF lists ne0 (the columns) first, so dims [k, n] is row-major W[n][k]. */
function tensorOf(t: GgufTensor, source: ByteSource): WeightTensor {
  const [k, n = 1, ...rest] = t.dims;
  const rows = rest.reduce((a, b) => a * b, n); // a stray 3-D/4-D tensor fails the shape check by its row count
  return { name: t.name, dtype: t.dtype, n: rows, k, source, offset: t.offset };
}

/** Reads a GGUF file's header and tokenizer; weights stay in the file until an engine packs them. */
export async function loadGguf(source: ByteSource, name?: string): Promise<LoadedModel> {
  const file = await readGgufFrom(source);
  const config = await ggufConfig(file, source);
  const byName = new Map(file.tensors.map((t) => [t.name, t]));
  const weights = await assembleWeights(config, GGUF_NAMES, (n) => {
    const t = byName.get(n);
    return t ? tensorOf(t, source) : null;
  });
  const { tokenizer, chatTemplate, bosToken, eosToken } = ggufTokenizer(file.metadata);
  const general = file.metadata.get('general.name');
  return {
    name: name ?? (typeof general === 'string' && general ? general : 'model'),
    format: 'gguf',
    config,
    weights,
    tokenizer,
    chatTemplate,
    bosToken,
    eosToken,
    tensors: file.tensors.map((t) => ({ name: t.name, shape: [...t.dims].reverse(), dtype: t.dtype, bytes: t.bytes ?? 0 })),
    fileBytes: file.size,
  };
}

/** A whole GGUF file already in memory (tests, small files). */
export const parseGguf = (bytes: ArrayBuffer | Uint8Array, name?: string) =>
  loadGguf(memorySource(name ?? 'model.gguf', bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)), name);
