// Numerics of quantizing a tensor, for the quantization views: amax, scale, clipped / underflow / NaN counts,
// and a histogram of where the scaled values land on the FP8 grid. Same scaling as packing (scale.ts).
import type { LinearSpec, WeightDtype } from './types.ts';
import { FP8_TABLE, type Fp8Format } from './fp8.ts';
import { bf16FromBits } from './bf16.ts';
import { absMax, clampAmax, countRow, dequantFactor, encodeRow } from './scale.ts';
import type { QuantStats } from './pack.ts';
import { rowSlabs, type WeightTensor } from '../model/tensor.ts';

export type { QuantStats };

/**
 * Stats of storing x [rows, cols] in `format`: FP8 with one scale per row or per tensor, amax clamped to `bound`
 * (activations: 1200 in the Llama 3 recipe; weights: null); BF16 counts overflow to Inf and flush to zero.
 */
export function quantStats(x: Float32Array, rows: number, cols: number, format: WeightDtype,
  scale: 'row' | 'tensor' = 'row', bound: number | null = null): QuantStats {
  const s: QuantStats = { amax: absMax(x), scale: 1, clipped: 0, underflow: 0, nan: 0 };
  for (let i = 0; i < x.length; i++) if (x[i] !== x[i]) s.nan++;
  if (format === 'f32') return s;
  const bits = new Uint32Array(x.buffer, x.byteOffset, x.length);
  if (format === 'bf16') {
    for (let i = 0; i < x.length; i++) {
      const a = bits[i] & 0x7fffffff, h = bf16FromBits(bits[i]) & 0x7fff;
      if (h === 0 && a !== 0) s.underflow++;
      if (h === 0x7f80 && a < 0x7f800000) s.clipped++;
    }
    return s;
  }
  s.scale = dequantFactor(clampAmax(s.amax, bound), format);
  forEachRow(x, rows, cols, format, scale, bound, absMax(x), (r, amax, codes) => countRow(x, r * cols, cols, amax, codes, 0, s));
  return s;
}

/**
 * Where a tensor's values land on the FP8 grid after scaling as `spec` says (E4M3 when spec is not FP8).
 * counts[c] is the number of elements whose code, sign dropped, is c (0..127): counts[0] are zeros and
 * underflows, and the value of bin c is values[c]; bins 8c'..8c'+7 of E4M3 form one binade. NaNs land in the
 * NaN code's bin. `underflow` and `clipped` are as in quantStats.
 */
export interface Fp8Histogram {
  format: Fp8Format;
  counts: Uint32Array; // (128)
  values: Float32Array; // (128) grid value of each bin; NaN/Inf bins included
  total: number;
  underflow: number;
  clipped: number;
}

/** Histogram of w (rows of length k, default one row) against the FP8 grid; rows are scaled per spec.scale. */
export function fp8Histogram(w: Float32Array, spec: LinearSpec, k = w.length): Fp8Histogram {
  const h = emptyHistogram(spec);
  addToHistogram(h, w, k, spec, absMax(w));
  return h;
}

export function emptyHistogram(spec: LinearSpec): Fp8Histogram {
  const format: Fp8Format = spec.dtype === 'fp8e5m2' ? 'fp8e5m2' : 'fp8e4m3';
  return { format, counts: new Uint32Array(128), values: FP8_TABLE[format].slice(0, 128), total: 0, underflow: 0, clipped: 0 };
}

/** Adds rows of k values to h (slab by slab over a large tensor); tensor-wise scaling needs the whole tensor's amax. */
export function addToHistogram(h: Fp8Histogram, w: Float32Array, k: number, spec: LinearSpec, tensorAmax: number): void {
  h.total += w.length;
  forEachRow(w, w.length / k, k, h.format, spec.scale, null, tensorAmax, (r, amax, codes) => {
    for (let i = 0; i < k; i++) h.counts[codes[i] & 0x7f]++;
    countRow(w, r * k, k, amax, codes, 0, h);
  });
}

/** Histogram of a tensor read from its file slab by slab (the quantization map's hover on a large model). */
export async function tensorHistogram(t: WeightTensor, spec: LinearSpec, tensorAmax: number): Promise<Fp8Histogram> {
  const h = emptyHistogram(spec);
  for await (const s of rowSlabs(t)) addToHistogram(h, s.values, t.k, spec, tensorAmax);
  return h;
}

/** Encodes every row of x [rows, cols] (encodeRow: the packer's own loop) and calls f(row, clamped amax, its codes). */
function forEachRow(x: Float32Array, rows: number, cols: number, format: Fp8Format, scale: 'row' | 'tensor',
  bound: number | null, tensorAmax: number, f: (r: number, amax: number, codes: Uint8Array) => void): void {
  if (!Number.isInteger(rows) || rows * cols !== x.length) throw new Error(`stats: ${x.length} values are not [${rows}, ${cols}]`);
  const codes = new Uint8Array(cols);
  for (let r = 0; r < rows; r++) {
    const amax = scale === 'tensor' ? clampAmax(tensorAmax, bound) : clampAmax(absMax(x, r * cols, r * cols + cols), bound);
    encodeRow(x, r * cols, cols, amax, format, codes, 0);
    f(r, amax, codes);
  }
}
