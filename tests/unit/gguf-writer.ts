// A tiny GGUF writer for tests: builds small valid files in memory, and records where each field sits so tests
// can corrupt exactly one of them. Reference: ggml/docs/gguf.md (v2/v3 layout, little-endian).
import { mulberry32 } from '../../workers/model/sampler.ts';

export type Scalar = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'bool' | 'string' | 'u64' | 'i64' | 'f64';
export type KvValue =
  | { t: Scalar; v: number | boolean | string }
  | { t: 'array'; of: Scalar; v: (number | boolean | string)[] };

export interface WriterTensor {
  name: string;
  dims: number[]; // ne0 (columns) first, as GGUF stores them
  type: number; // ggml type id: 0 F32, 1 F16, 8 Q8_0, 30 BF16, 12 Q4_K ...
  data: Uint8Array;
}

export interface GgufLayout {
  nTensorsAt: number;
  nKvAt: number;
  keys: { key: string; at: number; valueAt: number }[]; // `at`: the key's u64 length; valueAt: its type u32
  tensors: { name: string; at: number; typeAt: number; offsetAt: number }[]; // `at`: the name's u64 length
  dataOffset: number;
}

const TYPE_ID: Record<Scalar | 'array', number> = {
  u8: 0, i8: 1, u16: 2, i16: 3, u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9, u64: 10, i64: 11, f64: 12,
};

class Bytes {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  length = 0;
  private room(n: number): number {
    if (this.length + n > this.buf.length) {
      const grown = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
      grown.set(this.buf);
      this.buf = grown;
      this.view = new DataView(grown.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }
  // room() may grow the buffer, so it runs before this.view / this.buf are read
  u8(v: number) { const at = this.room(1); this.view.setUint8(at, v); }
  u32(v: number) { const at = this.room(4); this.view.setUint32(at, v, true); }
  u64(v: number | bigint) { const at = this.room(8); this.view.setBigUint64(at, BigInt(v), true); }
  raw(b: Uint8Array) { const at = this.room(b.length); this.buf.set(b, at); }
  string(s: string) { const b = new TextEncoder().encode(s); this.u64(b.length); this.raw(b); }
  pad(align: number) { while (this.length % align) this.u8(0); }
  scalar(t: Scalar, v: number | boolean | string) {
    if (t === 'string') return this.string(v as string);
    if (t === 'bool') return this.u8(v ? 1 : 0);
    const at = this.room(SIZE[t]);
    const d = this.view, n = v as number;
    switch (t) {
      case 'u8': return d.setUint8(at, n);
      case 'i8': return d.setInt8(at, n);
      case 'u16': return d.setUint16(at, n, true);
      case 'i16': return d.setInt16(at, n, true);
      case 'u32': return d.setUint32(at, n, true);
      case 'i32': return d.setInt32(at, n, true);
      case 'f32': return d.setFloat32(at, n, true);
      case 'u64': return d.setBigUint64(at, BigInt(n), true);
      case 'i64': return d.setBigInt64(at, BigInt(n), true);
      case 'f64': return d.setFloat64(at, n, true);
    }
  }
  bytes(): Uint8Array { return this.buf.slice(0, this.length); }
}
const SIZE: Record<Scalar, number> = { u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4, bool: 1, string: 0, u64: 8, i64: 8, f64: 8 };

/** Writes a GGUF file; tensor data are placed in order, each at a multiple of `alignment`. */
export function writeGguf(opts: { version?: number; kv: [string, KvValue][]; tensors: WriterTensor[]; alignment?: number }) {
  const align = opts.alignment ?? 32;
  const w = new Bytes();
  const layout: GgufLayout = { nTensorsAt: 8, nKvAt: 16, keys: [], tensors: [], dataOffset: 0 };
  w.raw(new TextEncoder().encode('GGUF'));
  w.u32(opts.version ?? 3);
  w.u64(opts.tensors.length);
  w.u64(opts.kv.length);
  for (const [key, val] of opts.kv) {
    const at = w.length;
    w.string(key);
    layout.keys.push({ key, at, valueAt: w.length });
    w.u32(TYPE_ID[val.t]);
    if (val.t === 'array') {
      w.u32(TYPE_ID[val.of]);
      w.u64(val.v.length);
      for (const x of val.v) w.scalar(val.of, x);
    } else w.scalar(val.t, val.v);
  }
  let rel = 0;
  const offsets: number[] = [];
  for (const t of opts.tensors) {
    const at = w.length;
    w.string(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    const typeAt = w.length;
    w.u32(t.type);
    const offsetAt = w.length;
    w.u64(rel);
    layout.tensors.push({ name: t.name, at, typeAt, offsetAt });
    offsets.push(rel);
    rel = Math.ceil((rel + t.data.length) / align) * align;
  }
  w.pad(align);
  layout.dataOffset = w.length;
  opts.tensors.forEach((t, i) => {
    while (w.length < layout.dataOffset + offsets[i]) w.u8(0);
    w.raw(t.data);
  });
  return { bytes: w.bytes(), layout };
}

/** Little-endian bytes of f32 values. */
export const f32Bytes = (a: ArrayLike<number>) => new Uint8Array(Float32Array.from(a).buffer);

/** Seeded uniform values in [-1, 1) (mulberry32), so expected weights are reproducible. */
export function seeded(seed: number): () => number {
  const r = mulberry32(seed);
  return () => r() * 2 - 1;
}

/** Token list of a tiny SentencePiece vocab: 3 controls, 256 byte pieces, then a few merges' results. */
export const TINY_PIECES = ['▁', 'a', 'b', 'c', 'ab', '▁a', '▁ab', 'abc', 'h', 'i', 'hi', '▁hi'];
export function tinyVocab() {
  const tokens = ['<unk>', '<s>', '</s>', ...Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`), ...TINY_PIECES];
  const types = tokens.map((_, i) => (i === 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1));
  const scores = tokens.map((_, i) => (i < 259 ? 0 : -(i - 259))); // earlier pieces merge first
  return { tokens, types, scores };
}

// dim 32 so that Q8_0 (32-element blocks along a row) fits the matrices that have dim columns
export const TINY = { dim: 32, hiddenDim: 48, nLayers: 2, nHeads: 4, nKvHeads: 2, headDim: 8, vocabSize: 271 };

/**
 * A tiny random Llama as GGUF (F32, interleaved RoPE). `replace` swaps a tensor (null drops it); `kv` adds or
 * overrides metadata. Returns the file, its layout and the f32 value of every tensor as written.
 */
export function tinyLlama(o: { replace?: Record<string, WriterTensor | null>; kv?: [string, KvValue][]; version?: number; alignment?: number } = {}) {
  const c = TINY;
  const rnd = seeded(42);
  const tensors: WriterTensor[] = [];
  const values = new Map<string, Float32Array>();
  const add = (name: string, rows: number, cols: number) => {
    const v = Float32Array.from({ length: rows * cols }, rnd);
    values.set(name, v);
    tensors.push({ name, dims: rows === 1 ? [cols] : [cols, rows], type: 0, data: f32Bytes(v) });
  };
  add('token_embd.weight', c.vocabSize, c.dim);
  for (let l = 0; l < c.nLayers; l++) {
    add(`blk.${l}.attn_norm.weight`, 1, c.dim);
    add(`blk.${l}.attn_q.weight`, c.nHeads * c.headDim, c.dim);
    add(`blk.${l}.attn_k.weight`, c.nKvHeads * c.headDim, c.dim);
    add(`blk.${l}.attn_v.weight`, c.nKvHeads * c.headDim, c.dim);
    add(`blk.${l}.attn_output.weight`, c.dim, c.nHeads * c.headDim);
    add(`blk.${l}.ffn_norm.weight`, 1, c.dim);
    add(`blk.${l}.ffn_gate.weight`, c.hiddenDim, c.dim);
    add(`blk.${l}.ffn_up.weight`, c.hiddenDim, c.dim);
    add(`blk.${l}.ffn_down.weight`, c.dim, c.hiddenDim);
  }
  add('output_norm.weight', 1, c.dim);
  add('output.weight', c.vocabSize, c.dim);
  const final = tensors.flatMap((t) => {
    const r = o.replace?.[t.name];
    return r === undefined ? [t] : r === null ? [] : [r];
  });
  const { tokens, types, scores } = tinyVocab();
  const kv = new Map<string, KvValue>([
    ['general.architecture', { t: 'string', v: 'llama' }],
    ['general.name', { t: 'string', v: 'tiny' }],
    ['llama.context_length', { t: 'u32', v: 64 }],
    ['llama.embedding_length', { t: 'u32', v: c.dim }],
    ['llama.feed_forward_length', { t: 'u32', v: c.hiddenDim }],
    ['llama.block_count', { t: 'u32', v: c.nLayers }],
    ['llama.attention.head_count', { t: 'u32', v: c.nHeads }],
    ['llama.attention.head_count_kv', { t: 'u32', v: c.nKvHeads }],
    ['llama.attention.layer_norm_rms_epsilon', { t: 'f32', v: 1e-5 }],
    ['tokenizer.ggml.model', { t: 'string', v: 'llama' }],
    ['tokenizer.ggml.tokens', { t: 'array', of: 'string', v: tokens }],
    ['tokenizer.ggml.scores', { t: 'array', of: 'f32', v: scores }],
    ['tokenizer.ggml.token_type', { t: 'array', of: 'i32', v: types }],
    ['tokenizer.ggml.bos_token_id', { t: 'u32', v: 1 }],
    ['tokenizer.ggml.eos_token_id', { t: 'u32', v: 2 }],
  ]);
  for (const [k, v] of o.kv ?? []) kv.set(k, v);
  const file = writeGguf({ version: o.version, kv: [...kv], tensors: final, alignment: o.alignment });
  return { ...file, values };
}
