// A small Llama 3 as a K-quantized GGUF file, written at test time, that llama.cpp itself loads: rows are whole
// 256-element blocks, the tensors mix the ggml types of a Q4_K_M / Q5_K_M download, and the tokenizer is the
// default model's byte-level BPE (Llama 3 pre-tokenizer) written as llama.cpp's `gpt2` vocab. Shared by the Node
// tests and the browser test against llama.cpp (wasm), so nothing here imports node:.
// References: ggml/src/ggml-common.h (block layouts), the inverses of workers/loader/ggml-quants.ts;
// llama.cpp src/llama-quant.cpp (which tensors Q4_K_M / Q5_K_M keep at Q6_K), src/llama-vocab.cpp (the `gpt2` keys:
// tokens, token_type, merges, pre "llama-bpe", bos/eos ids), convert_hf_to_gguf.py (added special tokens are CONTROL).
//
// The quantizers are simple (min/max scales, round to nearest), not llama.cpp's search for the best scales: any
// block with finite f16 scales is valid, and both engines dequantize the same bytes.
//
// The model is built to be confident, so greedy comparisons mean something: on a random Llama the final hidden
// state points nowhere in particular and the top two logits of 2048 are close (Gumbel spacing). Here the residual
// stream carries the current token's embedding, and output row next[t] is aligned with embedding row t (a random
// "bigram" permutation), so one token stands out: top-1 probability ~0.95 and top-1 - top-2 margin ~4.6 logits in
// the median. The attention and FFN blocks add a context-dependent part that moves every logit and makes another
// token win at about one step in twelve (21 of the 256 greedy steps of tests/gpu/llama-cpp.test.ts).
import { dequantize, type QuantDtype } from '../workers/loader/ggml-quants.ts';
import { mulberry32 } from '../workers/model/sampler.ts';
import { f32Bytes, writeGguf, type KvValue, type WriterTensor } from './unit/gguf-writer.ts';

export const QUANT_MODEL = {
  dim: 256, hiddenDim: 768, nLayers: 3, nHeads: 4, nKvHeads: 2, headDim: 64, vocabSize: 2048, contextLength: 512,
  ropeTheta: 500000, normEps: 1e-5,
} as const;

export type StoredType = 'F32' | 'F16' | QuantDtype;
const GGML_ID: Record<StoredType, number> = { F32: 0, F16: 1, Q4_0: 2, Q5_0: 6, Q8_0: 8, Q4_K: 12, Q5_K: 13, Q6_K: 14 };

type Matrix = 'attn_q' | 'attn_k' | 'attn_v' | 'attn_output' | 'ffn_gate' | 'ffn_up' | 'ffn_down';
/**
 * Per-layer types: layer 0 as Q4_K_M stores a layer (Q6_K for attn_v and ffn_down), layer 1 as Q5_K_M, layer 2 in
 * the legacy 32-element types and F16 so those kernels are compared too.
 */
export const LAYER_TYPES: Record<Matrix, StoredType>[] = [
  { attn_q: 'Q4_K', attn_k: 'Q4_K', attn_v: 'Q6_K', attn_output: 'Q4_K', ffn_gate: 'Q4_K', ffn_up: 'Q4_K', ffn_down: 'Q6_K' },
  { attn_q: 'Q5_K', attn_k: 'Q5_K', attn_v: 'Q6_K', attn_output: 'Q5_K', ffn_gate: 'Q5_K', ffn_up: 'Q5_K', ffn_down: 'Q5_K' },
  { attn_q: 'Q4_0', attn_k: 'Q5_0', attn_v: 'Q8_0', attn_output: 'F16', ffn_gate: 'Q4_0', ffn_up: 'Q5_0', ffn_down: 'Q8_0' },
];
/** token_embd and output as a Q4_K_M file stores them. */
export const EMBEDDING_TYPE: StoredType = 'Q4_K';
export const OUTPUT_TYPE: StoredType = 'Q6_K';

// ---- f16 and the block quantizers (each the exact inverse of the layout ggml-quants.ts decodes) ----

/** f32 -> IEEE binary16 bits, round to nearest even (finite inputs). */
export function f16Bits(x: number): number {
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65520) return sign | 0x7c00; // rounds to infinity
  if (a < 2 ** -14) return sign | roundEven(a * 2 ** 24); // subnormal (1024 rounds up into the first normal)
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--; // log2 of a value just under a power of two can round up
  if (2 ** (e + 1) <= a) e++;
  const m = roundEven((a / 2 ** e - 1) * 1024); // 0..1024; 1024 carries into the exponent
  return sign | (((e + 15) << 10) + m);
}
function roundEven(v: number): number {
  const f = Math.floor(v), d = v - f;
  return d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f;
}
const halfOf = (bits: number) => {
  const e = (bits >> 10) & 31, m = bits & 1023, s = bits & 0x8000 ? -1 : 1;
  return s * (e === 0 ? m * 2 ** -24 : (1 + m / 1024) * 2 ** (e - 15));
};
/** Writes the f16 nearest to v at out[o..o+2) and returns the value stored. */
function putHalf(out: Uint8Array, o: number, v: number): number {
  const h = f16Bits(v);
  out[o] = h & 255;
  out[o + 1] = h >> 8;
  return halfOf(h);
}
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const q = (x: number, step: number, lo: number, hi: number) => (step > 0 ? clamp(Math.round(x / step), lo, hi) : 0);

function amax(x: Float32Array, i0: number, n: number): number {
  let m = 0;
  for (let i = i0; i < i0 + n; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

/** Q8_0: f16 d = amax/127, int8 q. */
function quantizeQ8_0(x: Float32Array, out: Uint8Array): void {
  for (let b = 0, o = 0; b < x.length / 32; b++, o += 34) {
    const d = putHalf(out, o, amax(x, 32 * b, 32) / 127);
    for (let j = 0; j < 32; j++) out[o + 2 + j] = q(x[32 * b + j], d, -127, 127) & 255;
  }
}

/** Q4_0 / Q5_0: f16 d = amax/(levels/2 - 1), q + offset in [0, levels); Q5_0 keeps the 5th bits in a u32. */
function quantizeQ4_0orQ5_0(x: Float32Array, out: Uint8Array, five: boolean): void {
  const bytes = five ? 22 : 18, off = five ? 16 : 8, qs = five ? 6 : 2;
  for (let b = 0, o = 0; b < x.length / 32; b++, o += bytes) {
    const d = putHalf(out, o, amax(x, 32 * b, 32) / (off - 1));
    let qh = 0;
    for (let j = 0; j < 16; j++) {
      const lo = q(x[32 * b + j], d, -off, off - 1) + off, hi = q(x[32 * b + j + 16], d, -off, off - 1) + off;
      out[o + qs + j] = (lo & 15) | ((hi & 15) << 4);
      qh |= ((lo >> 4) << j) | ((hi >> 4) << (j + 16));
    }
    if (five) for (let k = 0; k < 4; k++) out[o + 2 + k] = (qh >>> (8 * k)) & 255;
  }
}

/**
 * Q4_K / Q5_K super-block of 256: eight sub-blocks of 32 with x = (d*sc) * q - (dmin*mn), q in [0, 2^bits).
 * Sub-block scale = range / (2^bits - 1), min = -min(x, 0); d, dmin = the largest of those / 63 (6-bit sc, mn).
 */
function quantizeKMin(x: Float32Array, out: Uint8Array, bits: 4 | 5): void {
  const levels = (1 << bits) - 1, bytes = bits === 4 ? 144 : 176, qsAt = bits === 4 ? 16 : 48;
  const scale = new Float64Array(8), min = new Float64Array(8), sc = new Uint8Array(8), mn = new Uint8Array(8);
  for (let b = 0, o = 0; b < x.length / 256; b++, o += bytes) {
    const x0 = 256 * b;
    for (let s = 0; s < 8; s++) {
      let lo = 0, hi = 0;
      for (let i = 0; i < 32; i++) { lo = Math.min(lo, x[x0 + 32 * s + i]); hi = Math.max(hi, x[x0 + 32 * s + i]); }
      scale[s] = (hi - lo) / levels;
      min[s] = -lo;
    }
    const d = putHalf(out, o, Math.max(...scale) / 63), dmin = putHalf(out, o + 2, Math.max(...min) / 63);
    for (let s = 0; s < 8; s++) { sc[s] = q(scale[s], d, 0, 63); mn[s] = q(min[s], dmin, 0, 63); }
    for (let j = 0; j < 4; j++) { // ggml get_scale_min_k4, backwards
      out[o + 4 + j] = sc[j] | ((sc[j + 4] >> 4) << 6);
      out[o + 8 + j] = mn[j] | ((mn[j + 4] >> 4) << 6);
      out[o + 12 + j] = (sc[j + 4] & 15) | ((mn[j + 4] & 15) << 4);
    }
    for (let c = 0; c < 4; c++) {
      for (let l = 0; l < 32; l++) {
        const [s1, s2] = [2 * c, 2 * c + 1];
        const v1 = x[x0 + 64 * c + l], v2 = x[x0 + 64 * c + 32 + l];
        const q1 = q(v1 + dmin * mn[s1], d * sc[s1], 0, levels), q2 = q(v2 + dmin * mn[s2], d * sc[s2], 0, levels);
        out[o + qsAt + 32 * c + l] = (q1 & 15) | ((q2 & 15) << 4);
        if (bits === 5) out[o + 16 + l] |= ((q1 >> 4) << (2 * c)) | ((q2 >> 4) << (2 * c + 1));
      }
    }
  }
}

/** Q6_K super-block of 256: sixteen sub-blocks of 16 with int8 scales, x = (d*sc) * (q - 32), q in [0, 64). */
function quantizeQ6_K(x: Float32Array, out: Uint8Array): void {
  const scale = new Float64Array(16), sc = new Int8Array(16);
  for (let b = 0, o = 0; b < x.length / 256; b++, o += 210) {
    const x0 = 256 * b;
    for (let s = 0; s < 16; s++) scale[s] = amax(x, x0 + 16 * s, 16) / 31;
    const d = putHalf(out, o + 208, Math.max(...scale) / 127);
    for (let s = 0; s < 16; s++) { sc[s] = q(scale[s], d, -127, 127); out[o + 192 + s] = sc[s] & 255; }
    for (let i = 0; i < 256; i++) {
      const hf = i >> 7, g = (i >> 5) & 3, l = i & 31; // half, group of 32 in the half, element
      const v = q(x[x0 + i], d * sc[i >> 4], -32, 31) + 32;
      const ql = o + 64 * hf + 32 * (g & 1) + l;
      out[ql] |= g < 2 ? v & 15 : (v & 15) << 4;
      out[o + 128 + 32 * hf + l] |= (v >> 4) << (2 * g);
    }
  }
}

const BLOCK: Record<QuantDtype, [number, number]> = { Q8_0: [32, 34], Q4_0: [32, 18], Q5_0: [32, 22], Q4_K: [256, 144], Q5_K: [256, 176], Q6_K: [256, 210] };

/** The bytes of x (a whole number of blocks) stored as `type`. */
export function quantize(type: StoredType, x: Float32Array): Uint8Array {
  if (type === 'F32') return f32Bytes(x);
  if (type === 'F16') {
    const out = new Uint8Array(2 * x.length);
    for (let i = 0; i < x.length; i++) putHalf(out, 2 * i, x[i]);
    return out;
  }
  const [elements, bytes] = BLOCK[type];
  if (x.length % elements) throw new Error(`${type}: ${x.length} values are not whole ${elements}-element blocks`);
  const out = new Uint8Array((x.length / elements) * bytes);
  switch (type) {
    case 'Q8_0': quantizeQ8_0(x, out); break;
    case 'Q4_0': quantizeQ4_0orQ5_0(x, out, false); break;
    case 'Q5_0': quantizeQ4_0orQ5_0(x, out, true); break;
    case 'Q4_K': quantizeKMin(x, out, 4); break;
    case 'Q5_K': quantizeKMin(x, out, 5); break;
    case 'Q6_K': quantizeQ6_K(x, out); break;
  }
  return out;
}

/** What an engine reads back from `quantize(type, x)`: the project's own dequantizer (bit-exact with ggml). */
export function dequantized(type: StoredType, bytes: Uint8Array, n: number): Float32Array {
  if (type === 'F32') return new Float32Array(bytes.slice().buffer);
  const out = new Float32Array(n);
  if (type === 'F16') for (let i = 0; i < n; i++) out[i] = halfOf(bytes[2 * i] | (bytes[2 * i + 1] << 8));
  else dequantize(type, bytes, n, out);
  return out;
}

// ---- the tokenizer, as llama.cpp's gpt2 vocab ----

interface TokenizerJson {
  model: { vocab: Record<string, number>; merges: (string | [string, string])[] };
  added_tokens: { id: number; content: string; special: boolean }[];
}

/** GPT-2's byte-level alphabet backwards: the character a piece uses for each byte -> the byte. */
function byteOfChar(): Map<string, number> {
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const m = new Map<string, number>();
  for (let b = 0, n = 0; b < 256; b++) m.set(String.fromCodePoint(printable(b) ? b : 256 + n++), b);
  return m;
}

/** The default model's tokenizer, parsed: pieces by id, their types, merges, and which pieces are whole UTF-8. */
export function readVocab(tokenizerJson: string) {
  const t = JSON.parse(tokenizerJson) as TokenizerJson;
  // a loop, not Math.max(...ids): a 128K vocabulary overflows the call stack as spread arguments
  let n = 0;
  for (const id of [...Object.values(t.model.vocab), ...t.added_tokens.map((a) => a.id)]) n = Math.max(n, id + 1);
  const tokens = new Array<string>(n).fill('');
  const types = new Array<number>(n).fill(1); // llama_token_type: 1 normal, 3 control, 4 user-defined
  for (const [piece, id] of Object.entries(t.model.vocab)) tokens[id] = piece;
  for (const a of t.added_tokens) { tokens[a.id] = a.content; types[a.id] = a.special ? 3 : 4; }
  if (tokens.some((p) => p === '')) throw new Error('tokenizer.json leaves a hole in the token ids');
  const bytes = byteOfChar(), utf8 = new TextDecoder('utf-8', { fatal: true });
  const wholeUtf8 = tokens.map((p, i) => {
    if (types[i] !== 1) return false;
    try { utf8.decode(Uint8Array.from(p, (ch) => bytes.get(ch) ?? 0)); return true; } catch { return false; }
  });
  const id = (s: string) => { const a = t.added_tokens.find((x) => x.content === s); if (!a) throw new Error(`no ${s} token`); return a.id; };
  return {
    tokens, types, wholeUtf8,
    merges: t.model.merges.map((m) => (typeof m === 'string' ? m : `${m[0]} ${m[1]}`)),
    bos: id('<|begin_of_text|>'), eos: id('<|end_of_text|>'), eot: id('<|eot_id|>'),
  };
}

/** tokenizer.json (Hugging Face, byte-level BPE) -> tokenizer.ggml.* keys, as convert_hf_to_gguf.py writes them. */
export function gpt2Vocab(v: ReturnType<typeof readVocab>): [string, KvValue][] {
  return [
    ['tokenizer.ggml.model', { t: 'string', v: 'gpt2' }],
    ['tokenizer.ggml.pre', { t: 'string', v: 'llama-bpe' }],
    ['tokenizer.ggml.tokens', { t: 'array', of: 'string', v: v.tokens }],
    ['tokenizer.ggml.token_type', { t: 'array', of: 'i32', v: v.types }],
    ['tokenizer.ggml.merges', { t: 'array', of: 'string', v: v.merges }],
    ['tokenizer.ggml.bos_token_id', { t: 'u32', v: v.bos }],
    ['tokenizer.ggml.eos_token_id', { t: 'u32', v: v.eos }],
    ['tokenizer.ggml.eot_token_id', { t: 'u32', v: v.eot }],
    ['tokenizer.ggml.add_bos_token', { t: 'bool', v: true }],
  ];
}

/** A Llama's hyperparameters. */
export interface LlamaGeometry {
  dim: number; hiddenDim: number; nLayers: number; nHeads: number; nKvHeads: number; headDim: number; vocabSize: number;
  contextLength: number; ropeTheta: number; normEps: number;
}

/** general.* and llama.* keys of a Llama GGUF, as convert_hf_to_gguf.py writes them. */
export function llamaKv(name: string, c: LlamaGeometry): [string, KvValue][] {
  return [
    ['general.architecture', { t: 'string', v: 'llama' }],
    ['general.name', { t: 'string', v: name }],
    ['llama.context_length', { t: 'u32', v: c.contextLength }],
    ['llama.embedding_length', { t: 'u32', v: c.dim }],
    ['llama.feed_forward_length', { t: 'u32', v: c.hiddenDim }],
    ['llama.block_count', { t: 'u32', v: c.nLayers }],
    ['llama.attention.head_count', { t: 'u32', v: c.nHeads }],
    ['llama.attention.head_count_kv', { t: 'u32', v: c.nKvHeads }],
    ['llama.attention.layer_norm_rms_epsilon', { t: 'f32', v: c.normEps }],
    ['llama.rope.freq_base', { t: 'f32', v: c.ropeTheta }],
    ['llama.rope.dimension_count', { t: 'u32', v: c.headDim }],
    ['llama.vocab_size', { t: 'u32', v: c.vocabSize }],
  ];
}

// ---- the model ----

export interface QuantModelOptions {
  /** public/models/llama31-mini/tokenizer.json, as text. */
  tokenizerJson: string;
  seed?: number;
  /** No output.weight: the head reuses token_embd (then stored as OUTPUT_TYPE, as llama.cpp quantizes a tied head). */
  tied?: boolean;
  /** Stored types to use instead of the Q4_K_M-like mix, by GGUF name (e.g. token_embd.weight as Q5_0). */
  types?: Record<string, StoredType>;
  /**
   * Tensors stored as F32 holding exactly the values their quantized bytes dequantize to (true: all of them): the
   * same model, with nothing left for llama.cpp's quantized kernels to round.
   */
  f32?: boolean | ((name: string) => boolean);
}

export interface QuantModelFile {
  bytes: Uint8Array;
  /** Stored type of every tensor, by GGUF name. */
  types: Map<string, StoredType>;
  /** The bigram map: output row next[t] is aligned with embedding row t (-1: t is never predicted). */
  next: Int32Array;
  /** Tokens the head can predict: ordinary tokens whose bytes are whole UTF-8 (the others' head rows are zero). */
  predictable: boolean[];
}

/** Weight of embedding row t in head row next[t], against head noise of 0.05: sets how often the bigram wins. */
const BIGRAM = 0.08;
/** Final norm gain: logits of ~10, so the top token takes most of the probability. */
const OUTPUT_GAIN = 2;

export function quantModelGguf(o: QuantModelOptions): QuantModelFile {
  const c = QUANT_MODEL;
  const vocab = readVocab(o.tokenizerJson);
  if (vocab.tokens.length !== c.vocabSize) throw new Error(`the tokenizer has ${vocab.tokens.length} tokens, the model ${c.vocabSize}`);
  const r = mulberry32(o.seed ?? 7);
  const uniform = (n: number, scale: number) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
  const tensors: WriterTensor[] = [];
  const types = new Map<string, StoredType>();
  const add = (name: string, type: StoredType, values: Float32Array, rows: number, cols: number) => {
    type = o.types?.[name] ?? type;
    let stored = quantize(type, values);
    if (type !== 'F32' && (o.f32 === true || (typeof o.f32 === 'function' && o.f32(name)))) {
      stored = f32Bytes(dequantized(type, stored, values.length));
      type = 'F32';
    }
    types.set(name, type);
    tensors.push({ name, dims: rows === 1 ? [cols] : [cols, rows], type: GGML_ID[type], data: stored });
  };
  const fill = (n: number, v: number) => new Float32Array(n).fill(v);

  // embeddings of RMS ~1.15: the residual stream starts as the token itself
  const embd = uniform(c.vocabSize * c.dim, 2);
  // The head: noise, plus embedding row t on row next[t] for a random permutation `next` of the predictable tokens.
  // Only ordinary tokens whose bytes are whole UTF-8 are predictable: wllama serializes a result with a strict JSON
  // dump that throws on a lone byte (llama-server itself replaces it), and special tokens would end generation early.
  // The other rows are zero, so their logit is exactly 0, far below the top of ~1900 random logits.
  const predictable = vocab.wholeUtf8;
  const ids = predictable.flatMap((p, i) => (p ? [i] : []));
  const shuffled = ids.slice();
  for (let i = shuffled.length - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]]; }
  const next = new Int32Array(c.vocabSize).fill(-1);
  ids.forEach((t, i) => { next[t] = shuffled[i]; });
  const head = uniform(c.vocabSize * c.dim, 0.05);
  for (const t of ids) for (let i = 0; i < c.dim; i++) head[next[t] * c.dim + i] += BIGRAM * embd[t * c.dim + i];
  for (let t = 0; t < c.vocabSize; t++) if (!predictable[t]) head.fill(0, t * c.dim, (t + 1) * c.dim);

  add('token_embd.weight', o.tied ? OUTPUT_TYPE : EMBEDDING_TYPE, o.tied ? head : embd, c.vocabSize, c.dim);
  const qDim = c.nHeads * c.headDim, kvDim = c.nKvHeads * c.headDim;
  for (let l = 0; l < c.nLayers; l++) {
    const T = LAYER_TYPES[l], p = `blk.${l}`;
    add(`${p}.attn_norm.weight`, 'F32', fill(c.dim, 1), 1, c.dim);
    add(`${p}.attn_q.weight`, T.attn_q, uniform(qDim * c.dim, 0.18), qDim, c.dim); // attention scores of a few units
    add(`${p}.attn_k.weight`, T.attn_k, uniform(kvDim * c.dim, 0.18), kvDim, c.dim);
    add(`${p}.attn_v.weight`, T.attn_v, uniform(kvDim * c.dim, 0.1), kvDim, c.dim);
    add(`${p}.attn_output.weight`, T.attn_output, uniform(c.dim * qDim, 0.1), c.dim, qDim);
    add(`${p}.ffn_norm.weight`, 'F32', fill(c.dim, 1), 1, c.dim);
    add(`${p}.ffn_gate.weight`, T.ffn_gate, uniform(c.hiddenDim * c.dim, 0.15), c.hiddenDim, c.dim);
    add(`${p}.ffn_up.weight`, T.ffn_up, uniform(c.hiddenDim * c.dim, 0.15), c.hiddenDim, c.dim);
    add(`${p}.ffn_down.weight`, T.ffn_down, uniform(c.dim * c.hiddenDim, 0.1), c.dim, c.hiddenDim);
  }
  add('output_norm.weight', 'F32', fill(c.dim, OUTPUT_GAIN), 1, c.dim);
  if (!o.tied) add('output.weight', OUTPUT_TYPE, head, c.vocabSize, c.dim);

  const kv: [string, KvValue][] = [...llamaKv('quant-mix', c), ...gpt2Vocab(vocab)];
  return { bytes: writeGguf({ kv, tensors }).bytes, types, next, predictable };
}
