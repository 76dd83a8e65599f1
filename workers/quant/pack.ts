// Packing a weight matrix W[n, k] into what the engines store, per LinearSpec (the one place these rules live):
//   f32:   one float per element;
//   bf16:  two halves per u32, element 2j in the low half, 2j+1 in the high half;
//   fp8:   four codes per u32, element 4j+i in bits 8i..8i+7 (little-endian), plus one f32 dequant scale per
//          row (amax_row / max; tensor-wise: the same amax / max repeated on every row).
// Every row starts on a 16-byte boundary (kPacked, the words per row, is a multiple of 4) so kernels read rows
// with vec4<u32> loads; padding words are zero (FP8 code 0 and BF16 0 both decode to +0).
// Rows are independent, so a tensor is packed slab by slab as it is read from the file (packTensor): the memory a
// load needs is one slab, not the tensor. See docs/precision.md; scaling follows workers/quant/scale.ts.
import type { LinearSpec, WeightDtype } from './types.ts';
import { FP8_TABLE, type Fp8Format } from './fp8.ts';
import { BF16_NAN, bf16FromBits, bf16ToF32 } from './bf16.ts';
import { absMax, clampAmax, countRow, dequantFactor, encodeRow } from './scale.ts';
import { readRowsBf16, rowSlabs, slabRows, type WeightTensor } from '../model/tensor.ts';

/** Numerics of one quantized tensor (docs/fp8-bf16 "what to measure"). */
export interface QuantStats {
  /** max |x| over the tensor (NaN ignored). */
  amax: number;
  /** Dequant scale: the tensor's (tensor-wise) or the largest row's (row-wise); 1 for f32/bf16. */
  scale: number;
  /** Elements beyond the representable range: |x| > the clamped amax for FP8 (|x·scale| > max), finite -> Inf for BF16. */
  clipped: number;
  /** Nonzero elements that encode to zero. */
  underflow: number;
  nan: number;
}

/** Rows [r0, r0 + rows) of a packed tensor: kPacked words per row, and FP8's row scales. */
export interface PackedSlab {
  r0: number;
  rows: number;
  data: Uint32Array | Float32Array;
  scales: Float32Array | null;
}

export interface PackedMatrix {
  dtype: WeightDtype;
  n: number;
  k: number;
  /** Words (f32 or u32) per row, a multiple of 4. */
  kPacked: number;
  data: Uint32Array | Float32Array;
  /** FP8: one dequant scale per row; null otherwise. */
  scales: Float32Array | null;
  /** What it occupies: data plus scales. */
  bytes: number;
  stats: QuantStats;
}

/** Elements per 32-bit word of a dtype. */
export const elementsPerWord = (dtype: WeightDtype) => (dtype === 'f32' ? 1 : dtype === 'bf16' ? 2 : 4);
export const isFp8 = (dtype: WeightDtype): dtype is Fp8Format => dtype === 'fp8e4m3' || dtype === 'fp8e5m2';

/** Words per packed row: whole words, rounded up to whole vec4s. */
export function packedWords(dtype: WeightDtype, k: number): number {
  return Math.ceil(Math.ceil(k / elementsPerWord(dtype)) / 4) * 4;
}

/** Bytes of W[n, k] stored as `dtype`: packed rows, plus FP8's row scales. Every byte count in the app is this. */
export function packedBytes(dtype: WeightDtype, n: number, k: number): number {
  return n * packedWords(dtype, k) * 4 + (isFp8(dtype) ? n * 4 : 0);
}

export const emptyStats = (): QuantStats => ({ amax: 0, scale: 1, clipped: 0, underflow: 0, nan: 0 });

/**
 * Packs `rows` rows of k values (w, row-major) into a new slab and adds their numerics to `stats`.
 * `tensorAmax`: FP8 tensor-wise scaling needs the whole tensor's amax, known before the first slab.
 */
export function packRows(w: Float32Array, rows: number, k: number, spec: LinearSpec, stats: QuantStats, tensorAmax = 0): Omit<PackedSlab, 'r0'> {
  if (w.length !== rows * k) throw new Error(`pack: ${w.length} values for ${rows} rows of ${k}`);
  const kPacked = packedWords(spec.dtype, k);
  stats.amax = Math.max(stats.amax, absMax(w));
  for (let i = 0; i < w.length; i++) if (w[i] !== w[i]) stats.nan++;
  if (spec.dtype === 'f32') return { rows, data: kPacked === k ? w : padRows(w, rows, k, kPacked), scales: null };
  if (spec.dtype === 'bf16') return { rows, data: packBf16(w, rows, k, kPacked, spec.bf16Rounding === 'truncate', stats), scales: null };
  const scales = new Float32Array(rows);
  const data = packFp8(w, rows, k, kPacked, spec.dtype, spec.scale === 'tensor' ? clampAmax(tensorAmax, null) : null, scales, stats);
  return { rows, data, scales };
}

/** The whole matrix at once (tests, small tensors). */
export function packMatrix(w: Float32Array, n: number, k: number, spec: LinearSpec): PackedMatrix {
  if (w.length !== n * k) throw new Error(`packMatrix: ${w.length} values for a [${n}, ${k}] matrix`);
  const stats = emptyStats();
  const p = packRows(w, n, k, spec, stats, absMax(w));
  return { dtype: spec.dtype, n, k, kPacked: packedWords(spec.dtype, k), data: p.data, scales: p.scales, bytes: packedBytes(spec.dtype, n, k), stats: finishStats(stats, spec) };
}

/** The stats' scale once every row is in: the largest row scale (row-wise) is the tensor's; 1 for f32/bf16. */
export function finishStats(stats: QuantStats, spec: LinearSpec): QuantStats {
  stats.scale = isFp8(spec.dtype) ? dequantFactor(clampAmax(stats.amax, null), spec.dtype) : 1;
  return stats;
}

/**
 * Reads t from its file and packs it slab by slab (slabs never cross a multiple of `boundary` rows). Fills `stats`
 * as it goes (finished after the last slab). FP8 tensor-wise scales first read the tensor once for its amax.
 */
export async function* packTensor(t: WeightTensor, spec: LinearSpec, stats: QuantStats, boundary = t.n): AsyncGenerator<PackedSlab> {
  if (t.dtype === 'BF16' && spec.dtype === 'bf16') { // BF16 rows are already BF16 (either rounding leaves them be)
    yield* copyBf16(t, stats, boundary);
    return;
  }
  let tensorAmax = 0;
  if (isFp8(spec.dtype) && spec.scale === 'tensor') {
    for await (const s of rowSlabs(t, undefined, boundary)) tensorAmax = Math.max(tensorAmax, absMax(s.values));
  }
  for await (const s of rowSlabs(t, undefined, boundary)) yield { r0: s.r0, ...packRows(s.values, s.rows, t.k, spec, stats, tensorAmax) };
  finishStats(stats, spec);
}

/**
 * A BF16 file into BF16 rows: the halves are copied as they are (no f32 round trip), rows padded to whole vec4s,
 * every NaN made the canonical 0x7FC0 as bf16FromBits does; the same words and stats as packing the f32 values.
 */
async function* copyBf16(t: WeightTensor, stats: QuantStats, boundary: number): AsyncGenerator<PackedSlab> {
  const k = t.k, kPacked = packedWords('bf16', k);
  let top = 0; // the largest |x| as a BF16 code without its sign (codes order like magnitudes)
  for (let r0 = 0; r0 < t.n;) {
    const rows = Math.min(t.n - r0, slabRows(k), (Math.floor(r0 / boundary) + 1) * boundary - r0);
    const src = await readRowsBf16(t, r0, rows);
    const data = new Uint32Array(rows * kPacked);
    top = Math.max(top, copyBf16Rows(src, new Uint16Array(data.buffer), rows, k, kPacked * 2, stats));
    yield { r0, rows, data, scales: null };
    r0 += rows;
  }
  stats.amax = Math.max(stats.amax, bf16ToF32(top));
  stats.scale = 1;
}

/**
 * copyBf16's loop, out of its async generator: V8 cannot optimize a loop in the middle of a generator (no on-stack
 * replacement there), so the first load of a page ran it unoptimized (~23 ns a weight; ~1 here). Returns the
 * largest code without its sign; NaNs are counted into stats. out may be src (in place).
 */
export function copyBf16Rows(src: Uint16Array, out: Uint16Array, rows: number, k: number, outStride: number, stats: Pick<QuantStats, 'nan'>): number {
  let top = 0, nan = 0;
  for (let r = 0; r < rows; r++) {
    const i0 = r * k, o0 = r * outStride;
    for (let c = 0; c < k; c++) {
      const h = src[i0 + c], a = h & 0x7fff;
      if (a > 0x7f80) { nan++; out[o0 + c] = BF16_NAN; continue; }
      if (a > top) top = a;
      out[o0 + c] = h;
    }
  }
  stats.nan += nan;
  return top;
}

function padRows(w: Float32Array, n: number, k: number, kPacked: number): Float32Array {
  const out = new Float32Array(n * kPacked);
  for (let r = 0; r < n; r++) out.set(w.subarray(r * k, r * k + k), r * kPacked);
  return out;
}

function packBf16(w: Float32Array, n: number, k: number, kPacked: number, truncate: boolean, stats: QuantStats): Uint32Array {
  const bits = new Uint32Array(w.buffer, w.byteOffset, w.length);
  const out = new Uint32Array(n * kPacked);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < k; c++) {
      const u = bits[r * k + c];
      const h = bf16FromBits(u, truncate);
      if ((h & 0x7fff) === 0 && (u & 0x7fffffff) !== 0) stats.underflow++;
      if ((h & 0x7fff) === 0x7f80 && (u & 0x7fffffff) < 0x7f800000) stats.clipped++;
      out[r * kPacked + (c >> 1)] |= h << ((c & 1) * 16);
    }
  }
  return out;
}

/** FP8 rows with row scales, or the tensor's scale on every row when `tensorAmax` (clamped) is given. */
function packFp8(w: Float32Array, n: number, k: number, kPacked: number, format: Fp8Format, tensorAmax: number | null,
  scales: Float32Array, stats: QuantStats): Uint32Array {
  const out = new Uint32Array(n * kPacked);
  const codes = new Uint8Array(out.buffer); // element 4j+i of a row is byte i of its word j (little-endian)
  for (let r = 0; r < n; r++) {
    const amax = tensorAmax ?? clampAmax(absMax(w, r * k, r * k + k), null);
    scales[r] = dequantFactor(amax, format);
    encodeRow(w, r * k, k, amax, format, codes, r * kPacked * 4);
    countRow(w, r * k, k, amax, codes, r * kPacked * 4, stats);
  }
  return out;
}

/** Decodes row r of packed words (kPacked per row) into out[0..k): code values, without FP8's row scale. */
export function decodeRow(dtype: WeightDtype, data: Uint32Array | Float32Array, kPacked: number, r: number, k: number, out: Float32Array, outOffset = 0): void {
  const base = r * kPacked;
  if (data instanceof Float32Array) {
    out.set(data.subarray(base, base + k), outOffset);
  } else if (dtype === 'bf16') {
    const o32 = new Uint32Array(out.buffer, out.byteOffset + outOffset * 4, k);
    const half = k >> 1;
    for (let j = 0; j < half; j++) { const word = data[base + j]; o32[2 * j] = word << 16; o32[2 * j + 1] = word & 0xffff0000; }
    if (k & 1) o32[k - 1] = data[base + half] << 16;
  } else {
    const table = FP8_TABLE[dtype as Fp8Format];
    const bytes = new Uint8Array(data.buffer, data.byteOffset + base * 4, k);
    for (let c = 0; c < k; c++) out[outOffset + c] = table[bytes[c]];
  }
}

/** Decodes one packed row back to the values it stands for (scale applied): for tests and the views. */
export function unpackRow(p: PackedMatrix, r: number): Float32Array {
  const out = new Float32Array(p.k);
  decodeRow(p.dtype, p.data, p.kPacked, r, p.k, out);
  if (p.scales) for (let c = 0; c < p.k; c++) out[c] *= p.scales[r];
  return out;
}
