// The CPU twin of the GPU linear layer (workers/gpu/linear.ts): y[m, n] = W[n, :] · x[m, :] (or +=) for m rows,
// computing what the WGSL kernels compute, in this order, with f32 roundings where the GPU has them:
//   f32, bf16:        y = Σ_k w[n,k] · x[m,k]                          (w rounded through BF16 for bf16)
//   fp8, x in f32:    y = f32(Σ_k q_w[n,k] · x[m,k]) · s_w[n]
//   fp8, x in fp8:    amax = clamp(max_k |x[m,k]|, eps, actBound); s_x = amax / max; q_x = encode(x · (max / amax))
//                     y = f32(Σ_k q_x[m,k] · q_w[n,k]) · f32(s_x[m] · s_w[n])
// spec.act applies to FP8 weights only (W8A8); f32 and bf16 linears always take x in f32.
// (q: the decoded FP8 code values; s: the dequant scales; the scaling is workers/quant/scale.ts; the recipe is
// arXiv:2407.21783 §6.2 and FBGEMM quantize_fp8_per_row with scale_ub.) The sums run in double here and in f32
// on the GPU, in a different order: that rounding is what the parity tests' tolerance bounds (docs/precision.md).
// Weights are decoded once, at creation, to a Float32Array of code values, so every dtype runs the same f32
// loop: contiguous rows, four output rows per pass over x (each x[j] loaded once), no allocation.
import type { LinearSpec } from '../quant/types.ts';
import { packMatrix, packedWords, unpackRow, type QuantStats } from '../quant/pack.ts';
import { FP8, FP8_TABLE, fp8FromBits, type Fp8Format } from '../quant/fp8.ts';
import { absMax, clampAmax, dequantFactor, quantizeFactor } from '../quant/scale.ts';

export interface CpuLinear {
  spec: LinearSpec;
  n: number;
  k: number;
  /** Bytes of the weights in this format, as the GPU stores them (packed rows + scales). */
  bytes: number;
  stats: QuantStats;
  /** y[m, n] = W x[m, k] for m rows of x, or y += W x when accumulate. */
  apply(x: Float32Array, m: number, y: Float32Array, accumulate?: boolean): void;
}

/** Σ_j w[wo + j] · x[xo + j] for j < k, four independent partial sums. */
function dot(w: Float32Array, wo: number, x: Float32Array, xo: number, k: number): number {
  let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  let j = 0;
  for (; j + 4 <= k; j += 4) {
    a0 += w[wo + j] * x[xo + j];
    a1 += w[wo + j + 1] * x[xo + j + 1];
    a2 += w[wo + j + 2] * x[xo + j + 2];
    a3 += w[wo + j + 3] * x[xo + j + 3];
  }
  for (; j < k; j++) a0 += w[wo + j] * x[xo + j];
  return a0 + a1 + (a2 + a3);
}

/** y[yo + i] (+)= Σ_j w[i, j] x[xo + j] for i < n: four rows at a time with local sums (the f32/BF16 hot path). */
function matvec(w: Float32Array, n: number, k: number, x: Float32Array, xo: number, y: Float32Array, yo: number, accumulate: boolean): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o0 = i * k, o1 = o0 + k, o2 = o1 + k, o3 = o2 + k;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (let j = 0; j < k; j++) {
      const xj = x[xo + j];
      a0 += w[o0 + j] * xj;
      a1 += w[o1 + j] * xj;
      a2 += w[o2 + j] * xj;
      a3 += w[o3 + j] * xj;
    }
    if (accumulate) { y[yo + i] += a0; y[yo + i + 1] += a1; y[yo + i + 2] += a2; y[yo + i + 3] += a3; }
    else { y[yo + i] = a0; y[yo + i + 1] = a1; y[yo + i + 2] = a2; y[yo + i + 3] = a3; }
  }
  for (; i < n; i++) {
    const v = dot(w, i * k, x, xo, k);
    y[yo + i] = accumulate ? y[yo + i] + v : v;
  }
}

export function createCpuLinear(w: Float32Array, n: number, k: number, spec: LinearSpec): CpuLinear {
  if (w.length !== n * k) throw new Error(`linear: ${w.length} weights for a [${n}, ${k}] matrix`);
  let wv: Float32Array; // [n, k] the values multiplied: f32 weights, BF16-rounded weights, or FP8 code values
  let ws: Float32Array | null = null; // FP8 row dequant scales
  let stats: QuantStats;
  let bytes: number;
  if (spec.dtype === 'f32') {
    wv = w;
    stats = { amax: absMax(w), scale: 1, clipped: 0, underflow: 0, nan: 0 };
    for (let i = 0; i < w.length; i++) if (w[i] !== w[i]) stats.nan++;
    bytes = n * packedWords('f32', k) * 4;
  } else {
    const p = packMatrix(w, n, k, spec);
    wv = new Float32Array(n * k);
    if (p.dtype === 'bf16') {
      for (let r = 0; r < n; r++) wv.set(unpackRow(p, r), r * k);
    } else {
      const table = FP8_TABLE[p.dtype as Fp8Format], words = p.data as Uint32Array;
      for (let r = 0; r < n; r++) {
        for (let c = 0; c < k; c++) wv[r * k + c] = table[(words[r * p.kPacked + (c >> 2)] >>> ((c & 3) * 8)) & 0xff];
      }
      ws = p.scales;
    }
    stats = p.stats;
    bytes = p.bytes;
  }

  const act = spec.act && spec.dtype !== 'f32' && spec.dtype !== 'bf16' ? spec.act : null;
  const actInfo = act ? FP8[act] : null;
  const actTable = act ? FP8_TABLE[act] : null;
  const xq = new Float32Array(act ? k : 0); // one quantized activation row
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  const dots = new Float32Array(ws ? n : 0); // FP8: one row's dot products, rounded to f32 before scaling

  function apply(x: Float32Array, m: number, y: Float32Array, accumulate = false): void {
    if (x.length < m * k || y.length < m * n) throw new Error(`linear [${n}, ${k}]: x or y too short for ${m} rows`);
    for (let r = 0; r < m; r++) {
      let xs = x, xo = r * k, sx = 1;
      if (act) {
        const amax = clampAmax(absMax(x, xo, xo + k), spec.actBound);
        const qs = quantizeFactor(amax, act);
        sx = dequantFactor(amax, act);
        for (let c = 0; c < k; c++) {
          f32[0] = x[xo + c] * qs;
          xq[c] = actTable![fp8FromBits(u32[0], actInfo!)];
        }
        xs = xq;
        xo = 0;
      }
      const yo = r * n;
      if (!ws) { matvec(wv, n, k, xs, xo, y, yo, accumulate); continue; } // f32 and bf16: no scales to apply
      matvec(wv, n, k, xs, xo, dots, 0, false);
      for (let i = 0; i < n; i++) {
        const v = Math.fround(dots[i] * (act ? Math.fround(sx * ws[i]) : ws[i]));
        y[yo + i] = accumulate ? y[yo + i] + v : v;
      }
    }
  }

  return { spec, n, k, bytes, stats, apply };
}
