// FP8 scaling as in the Llama 3 recipe (arXiv:2407.21783 §6.2) and FBGEMM's quantize_fp8_per_row:
//   amax = clamp(max|row|, eps, ub),  q = encode(x * (max / amax)),  x ≈ decode(q) * (amax / max)
// where max is the format's largest finite value (448 for E4M3, 57344 for E5M2) and ub the optional upper bound
// (scale_ub, 1200 for activations in the recipe). Shared by weight packing, the CPU twin and the GPU kernels'
// documentation, so all three compute exactly the same f32 numbers.
import { FP8, fp8FromBits, type Fp8Format } from './fp8.ts';

/** Lower clamp of amax (FBGEMM's eps): an all-zero row gets tiny, finite scales instead of a division by 0. */
export const FP8_EPS = Math.fround(1e-12);
/** Largest finite f32: the clamp used when there is no upper bound (keeps the scales finite). */
export const F32_MAX = 3.4028234663852886e38;

/** amax after the clamp, as an f32. */
export function clampAmax(amax: number, bound: number | null): number {
  return Math.fround(Math.min(Math.max(amax, FP8_EPS), bound === null ? F32_MAX : bound));
}

/** Quantize factor max / amax (f32, correctly rounded). */
export function quantizeFactor(amax: number, format: Fp8Format): number {
  return Math.fround(FP8[format].max / amax);
}

/** Dequantize factor amax / max (f32, correctly rounded): the stored scale. */
export function dequantFactor(amax: number, format: Fp8Format): number {
  return Math.fround(amax / FP8[format].max);
}

/** max |x| over x[start, end); NaN is ignored (it is counted separately). */
export function absMax(x: Float32Array, start = 0, end = x.length): number {
  let m = 0;
  for (let i = start; i < end; i++) {
    const a = Math.abs(x[i]);
    if (a > m) m = a;
  }
  return m;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * The recipe's scale-and-encode of one row, the only copy of it (weight packing, activation quantization and the
 * views' statistics all call this): codes[co + i] = encode(f32(x[xo + i] * f32(max / amax))) for i < k, with amax
 * already clamped (clampAmax). The row's dequant factor is dequantFactor(amax).
 */
export function encodeRow(x: Float32Array, xo: number, k: number, amax: number, format: Fp8Format, codes: Uint8Array, co: number): void {
  const qs = quantizeFactor(amax, format), info = FP8[format];
  for (let i = 0; i < k; i++) {
    f32[0] = x[xo + i] * qs;
    codes[co + i] = fp8FromBits(u32[0], info);
  }
}

/** What encoding a row did: nonzero values that became a zero code (underflow), |x| above the clamped amax (clipped). */
export function countRow(x: Float32Array, xo: number, k: number, amax: number, codes: Uint8Array, co: number,
  into: { underflow: number; clipped: number }): void {
  for (let i = 0; i < k; i++) {
    const v = x[xo + i];
    if ((codes[co + i] & 0x7f) === 0 && v !== 0 && v === v) into.underflow++;
    if (Math.abs(v) > amax) into.clipped++;
  }
}
