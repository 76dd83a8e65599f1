// Packing a weight matrix W[n, k] (row-major f32 master) into what the GPU stores, per LinearSpec:
//   f32:   one float per element;
//   bf16:  two halves per u32, element 2j in the low half, 2j+1 in the high half;
//   fp8:   four codes per u32, element 4j+i in bits 8i..8i+7 (little-endian), plus one f32 dequant scale per
//          row (amax_row / max; tensor-wise: the same amax / max repeated on every row).
// Every row starts on a 16-byte boundary (kPacked, the words per row, is a multiple of 4) so kernels read rows
// with vec4<u32> loads; padding words are zero (FP8 code 0 and BF16 0 both decode to +0).
// See docs/precision.md; scaling follows workers/quant/scale.ts.
import type { LinearSpec, WeightDtype } from './types.ts';
import { FP8, FP8_TABLE, fp8FromBits, type Fp8Format } from './fp8.ts';
import { bf16FromBits, bf16ToF32 } from './bf16.ts';
import { absMax, clampAmax, dequantFactor, quantizeFactor } from './scale.ts';

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

/** Words per packed row: whole words, rounded up to whole vec4s. */
export function packedWords(dtype: WeightDtype, k: number): number {
  return Math.ceil(Math.ceil(k / elementsPerWord(dtype)) / 4) * 4;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function packMatrix(w: Float32Array, n: number, k: number, spec: LinearSpec): PackedMatrix {
  if (w.length !== n * k) throw new Error(`packMatrix: ${w.length} values for a [${n}, ${k}] matrix`);
  const kPacked = packedWords(spec.dtype, k);
  const stats: QuantStats = { amax: absMax(w), scale: 1, clipped: 0, underflow: 0, nan: 0 };
  for (let i = 0; i < w.length; i++) if (w[i] !== w[i]) stats.nan++;
  let data: Uint32Array | Float32Array;
  let scales: Float32Array | null = null;
  if (spec.dtype === 'f32') {
    data = kPacked === k ? w : padRows(w, n, k, kPacked);
  } else if (spec.dtype === 'bf16') {
    data = packBf16(w, n, k, kPacked, spec.bf16Rounding === 'truncate', stats);
  } else {
    scales = new Float32Array(n);
    data = packFp8(w, n, k, kPacked, spec.dtype, spec.scale, scales, stats);
  }
  const bytes = data.byteLength + (scales ? scales.byteLength : 0);
  return { dtype: spec.dtype, n, k, kPacked, data, scales, bytes, stats };
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

function packFp8(w: Float32Array, n: number, k: number, kPacked: number, format: Fp8Format, mode: 'row' | 'tensor',
  scales: Float32Array, stats: QuantStats): Uint32Array {
  const info = FP8[format];
  const out = new Uint32Array(n * kPacked);
  const tensorAmax = clampAmax(stats.amax, null);
  stats.scale = dequantFactor(tensorAmax, format); // the largest row scale is the tensor's
  for (let r = 0; r < n; r++) {
    const amax = mode === 'tensor' ? tensorAmax : clampAmax(absMax(w, r * k, r * k + k), null);
    const qs = quantizeFactor(amax, format);
    scales[r] = dequantFactor(amax, format);
    for (let c = 0; c < k; c++) {
      const x = w[r * k + c];
      f32[0] = x * qs;
      const code = fp8FromBits(u32[0], info);
      if ((code & 0x7f) === 0 && x !== 0 && x === x) stats.underflow++;
      if (Math.abs(x) > amax) stats.clipped++;
      out[r * kPacked + (c >> 2)] |= code << ((c & 3) * 8);
    }
  }
  return out;
}

/** Decodes one packed row back to the values it stands for (scale applied): for tests and the views. */
export function unpackRow(p: PackedMatrix, r: number): Float32Array {
  const out = new Float32Array(p.k);
  const base = r * p.kPacked;
  if (p.data instanceof Float32Array) {
    out.set(p.data.subarray(base, base + p.k));
  } else if (p.dtype === 'bf16') {
    for (let c = 0; c < p.k; c++) out[c] = bf16ToF32(p.data[base + (c >> 1)] >>> ((c & 1) * 16));
  } else {
    const table = FP8_TABLE[p.dtype as Fp8Format], s = p.scales![r];
    for (let c = 0; c < p.k; c++) out[c] = table[(p.data[base + (c >> 2)] >>> ((c & 3) * 8)) & 0xff] * s;
  }
  return out;
}
