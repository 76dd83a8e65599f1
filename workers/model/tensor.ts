// A weight matrix as the file stores it: its dtype (F32, F16, BF16 or a GGUF block type), its shape, and where
// its bytes are. Nothing is read until an engine asks: the file's bytes are the master copy, and every precision
// the map picks is made from them row slab by row slab (workers/quant/pack.ts), so no f32 copy of a model exists.
// Matrices are row-major W[n, k] (nn.Linear's [out, in]; GGUF's ne0 is k), one contiguous row per output.
import { dtypeBytes, toF32 } from '../loader/dtypes.ts';
import type { ByteSource } from '../loader/source.ts';

export interface WeightTensor {
  name: string; // as in the file, e.g. "model.layers.0.mlp.up_proj.weight" or "blk.0.ffn_up.weight"
  dtype: string; // storage type as the file names it: F32, F16, BF16, Q8_0, Q4_K ...
  n: number; // rows (outputs)
  k: number; // columns (inputs)
  source: ByteSource;
  offset: number; // absolute byte offset of row 0 in the source
}

/** Bytes of one stored row: whole blocks for the GGUF block types (checked when the tensor is made). */
export function storedRowBytes(t: Pick<WeightTensor, 'dtype' | 'k'>): number {
  const b = dtypeBytes(t.dtype, t.k);
  if (b === null) throw new Error(`unknown storage type ${t.dtype}`);
  return b;
}

export const storedBytes = (t: WeightTensor) => t.n * storedRowBytes(t);

/** f32 values of rows [r0, r0 + rows): read by range, decoded, the raw bytes dropped. */
export async function readRowsF32(t: WeightTensor, r0: number, rows: number): Promise<Float32Array> {
  const rb = storedRowBytes(t);
  const raw = await t.source.read(t.offset + r0 * rb, rows * rb);
  return toF32(t.dtype, raw, rows * t.k);
}

/** A BF16 tensor's halves of rows [r0, r0 + rows) as the file stores them, in an array of their own (aligned). */
export async function readRowsBf16(t: WeightTensor, r0: number, rows: number): Promise<Uint16Array> {
  const raw = await t.source.read(t.offset + r0 * 2 * t.k, rows * 2 * t.k);
  return new Uint16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
}

/** f32 bytes of decoded rows one slab may hold: the staging memory of a load, whatever the tensor's size. */
export const SLAB_BYTES = 16 << 20;

/** Rows per slab for a tensor with rows of k values (at least one row). */
export const slabRows = (k: number, bytes = SLAB_BYTES) => Math.max(1, Math.floor(bytes / (4 * k)));

/**
 * Decoded rows of t in slabs of at most `rows` rows, never crossing a multiple of `boundary` (so a slab lands in
 * one GPU buffer when a tensor is split into several). Reads each slab when it is asked for.
 */
export async function* rowSlabs(t: WeightTensor, rows = slabRows(t.k), boundary = t.n): AsyncGenerator<{ r0: number; rows: number; values: Float32Array }> {
  for (let r0 = 0; r0 < t.n;) {
    const end = Math.min(t.n, r0 + rows, (Math.floor(r0 / boundary) + 1) * boundary);
    yield { r0, rows: end - r0, values: await readRowsF32(t, r0, end - r0) };
    r0 = end;
  }
}

/** The whole tensor in f32 (small tensors only: norm gains, tests). */
export const readF32 = (t: WeightTensor) => readRowsF32(t, 0, t.n);
