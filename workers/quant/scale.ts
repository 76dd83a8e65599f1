// FP8 scaling as in the Llama 3 recipe (arXiv:2407.21783 §6.2) and FBGEMM's quantize_fp8_per_row:
//   amax = clamp(max|row|, eps, ub),  q = encode(x * (max / amax)),  x ≈ decode(q) * (amax / max)
// where max is the format's largest finite value (448 for E4M3, 57344 for E5M2) and ub the optional upper bound
// (scale_ub, 1200 for activations in the recipe). Shared by weight packing, the CPU twin and the GPU kernels'
// documentation, so all three compute exactly the same f32 numbers.
import { FP8, type Fp8Format } from './fp8.ts';

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
