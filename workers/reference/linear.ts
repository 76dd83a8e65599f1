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
// The weights stay packed as the GPU stores them (BF16 pairs, FP8 codes: 2x and 4x smaller than f32) and the dot
// products look every code's value up in a table as they read it (BF16: 64K entries, FP8: 256), so no f32 copy exists.
import type { LinearSpec, WeightDtype } from '../quant/types.ts';
import { decodeRow, elementsPerWord, emptyStats, packMatrix, packTensor, packedBytes, packedWords, type QuantStats } from '../quant/pack.ts';
import { bf16Table, bf16ToF32 } from '../quant/bf16.ts';
import { FP8_TABLE } from '../quant/fp8.ts';
import { absMax, clampAmax, dequantFactor, encodeRow } from '../quant/scale.ts';
import { readRowsBf16, slabRows, storedRowBytes, type WeightTensor } from '../model/tensor.ts';
import { createSimdMatvec, simdMatvecBuilder, type SimdMatvec, type SimdMatvecBuilder, type TailKernel } from '../simd/matvec.ts';

/**
 * Which matvec kernels a linear runs: the WebAssembly SIMD ones of workers/simd/ (the same sums, to the bit) where
 * they exist ('auto'), these TypeScript ones (the oracle), or the SIMD ones or an error ('wasm', for tests).
 */
export type CpuKernels = 'auto' | 'typescript' | 'wasm';

export interface CpuLinear {
  spec: LinearSpec;
  /** What the rows are stored as: spec.dtype, except that f32 weights read from a BF16 file stay BF16 (exact). */
  dtype: WeightDtype;
  n: number;
  k: number;
  /** Bytes of the weights as stored (packed rows + scales). */
  bytes: number;
  stats: QuantStats;
  /** The kernels it runs (see CpuKernels). */
  kernel: 'wasm-simd' | 'typescript';
  /** y[m, n] = W x[m, k] for m rows of x, or y += W x when accumulate. */
  apply(x: Float32Array, m: number, y: Float32Array, accumulate?: boolean): void;
  /** Row r of W as the values it stands for (scale applied), into out[0..k): the embedding lookup. */
  row(r: number, out: Float32Array, outOffset?: number): void;
  /** Done with it: a pool's threads let go of the matrix (nothing to do on one thread). */
  release(): void;
}

/** out[o + i] (+)= W[i, :] · xs[xo ..] for every row i (no FP8 scale). */
export type Matvec = (xs: Float32Array, xo: number, out: Float32Array, o: number, accumulate: boolean) => void;

/**
 * Threads to run big matrices' matvecs on (workers/cpu-pool/): a matrix it takes is built over a shared
 * WebAssembly memory and its matvec splits the 8-row blocks over the threads. Without one, all runs on this thread.
 */
export interface MatvecPool {
  readonly threads: number;
  takes(n: number, k: number): boolean;
  matvec(simd: SimdMatvec, n: number): Matvec;
  release(matvec: Matvec): void;
}

/** Packed rows in one array (kPacked words per row) and FP8's row scales. */
interface Store { data: Uint32Array | Float32Array; scales: Float32Array | null }

/** The dtype the CPU keeps: f32 over BF16 values computes exactly what bf16 does, in half the memory. */
export function cpuDtype(spec: LinearSpec, storedDtype: string): WeightDtype {
  return spec.dtype === 'f32' && storedDtype === 'BF16' ? 'bf16' : spec.dtype;
}

/** Reads t from its file and packs it for the CPU, slab by slab (onBytes: stored bytes read, for progress). */
export async function loadCpuLinear(t: WeightTensor, spec: LinearSpec, onBytes?: (bytes: number) => void, kernels: CpuKernels = 'auto',
  pool?: MatvecPool): Promise<CpuLinear> {
  const dtype = cpuDtype(spec, t.dtype);
  const packSpec = { ...spec, dtype };
  const kPacked = packedWords(dtype, t.k), stride = kPacked * elementsPerWord(dtype);
  const scales = dtype === 'fp8e4m3' || dtype === 'fp8e5m2' ? new Float32Array(t.n) : null;
  const outOfMemory = (e: unknown) => new Error(`out of memory holding ${t.name} (${(packedBytes(dtype, t.n, t.k) / 2 ** 20).toFixed(0)} MiB as ${dtype}): pick fp8-all or a smaller model`, { cause: e });
  // the SIMD kernels' memory is filled slab by slab, so the matrix is never held twice
  let simd: SimdMatvecBuilder | null;
  const shared = kernels !== 'typescript' && !!pool?.takes(t.n, t.k);
  try { simd = kernels === 'typescript' ? null : simdMatvecBuilder(dtype, t.n, t.k, shared); } catch (e) { throw outOfMemory(e); }
  if (simd && t.dtype === 'BF16' && dtype === 'bf16') {
    const stats = await bf16FileInto(simd, t, onBytes);
    return fromSimd(simd.finish(tailKernel(dtype)), null, t.n, t.k, spec, dtype, stats, shared ? pool : undefined);
  }
  if (simd) {
    const stats = emptyStats();
    let usable = true;
    for await (const s of packTensor(t, packSpec, stats)) {
      usable &&= simd.put(elementsOf(dtype, s.data), stride, s.r0, s.rows);
      if (scales) scales.set(s.scales!, s.r0);
      onBytes?.(s.rows * storedRowBytes(t));
    }
    if (usable) return fromSimd(simd.finish(tailKernel(dtype)), scales, t.n, t.k, spec, dtype, stats, shared ? pool : undefined);
    if (kernels === 'wasm') throw noSimd(t.n, t.k, dtype);
    onBytes = undefined; // an FP8 NaN/Inf code (rare: NaN in the file): read again for the TypeScript kernels
  }
  let data: Float32Array | Uint32Array;
  try { data = dtype === 'f32' ? new Float32Array(t.n * kPacked) : new Uint32Array(t.n * kPacked); } catch (e) { throw outOfMemory(e); } // a RangeError from V8
  const stats = emptyStats();
  for await (const s of packTensor(t, packSpec, stats)) {
    data.set(s.data, s.r0 * kPacked);
    if (scales) scales.set(s.scales!, s.r0);
    onBytes?.(s.rows * storedRowBytes(t));
  }
  return fromStore({ data, scales }, t.n, t.k, spec, dtype, stats, 'typescript');
}

/**
 * A BF16 file's rows straight into the SIMD kernels' memory (no packed copy first), slabs of whole 8-row blocks;
 * the stats packTensor gives a BF16 file read as bf16 (amax, NaNs; nothing clipped or lost).
 */
async function bf16FileInto(simd: SimdMatvecBuilder, t: WeightTensor, onBytes?: (bytes: number) => void): Promise<QuantStats> {
  const seen = { top: 0, nan: 0 }, slab = Math.max(8, slabRows(t.k) & ~7);
  for (let r0 = 0; r0 < t.n; r0 += slab) {
    const rows = Math.min(slab, t.n - r0);
    simd.putBf16File(await readRowsBf16(t, r0, rows), r0, rows, seen);
    onBytes?.(rows * 2 * t.k);
  }
  return { ...emptyStats(), amax: bf16ToF32(seen.top), nan: seen.nan };
}

/** From f32 values in memory (tests, small tensors). */
export function createCpuLinear(w: Float32Array, n: number, k: number, spec: LinearSpec, kernels: CpuKernels = 'auto', pool?: MatvecPool): CpuLinear {
  const p = packMatrix(w, n, k, spec);
  if (kernels !== 'typescript' && pool?.takes(n, k)) { // built over a shared memory, for the pool's threads
    const builder = simdMatvecBuilder(spec.dtype, n, k, true);
    if (builder?.put(elementsOf(spec.dtype, p.data), packedWords(spec.dtype, k) * elementsPerWord(spec.dtype), 0, n)) {
      return fromSimd(builder.finish(tailKernel(spec.dtype)), p.scales, n, k, spec, spec.dtype, p.stats, pool);
    }
  }
  return fromStore(p, n, k, spec, spec.dtype, p.stats, kernels);
}

/** A linear on the SIMD kernels: on this thread, or split over a pool's threads. */
function fromSimd(simd: SimdMatvec, ws: Float32Array | null, n: number, k: number, spec: LinearSpec, dtype: WeightDtype, stats: QuantStats, pool?: MatvecPool): CpuLinear {
  if (!pool) return fromKernel({ matvec: (xs, xo, out, o, acc) => simd.matvec(xs, xo, out, o, acc), row: simd.row }, ws, n, k, spec, dtype, stats, 'wasm-simd');
  const matvec = pool.matvec(simd, n);
  return fromKernel({ matvec, row: simd.row }, ws, n, k, spec, dtype, stats, 'wasm-simd', () => pool.release(matvec));
}

/** The matvec and row lookup a linear runs on (the SIMD ones or the TypeScript ones below): unscaled values. */
interface Kernel {
  /** Weights decoded as they are read. */
  matvec: Matvec;
  row(r: number, out: Float32Array, o: number): void;
}

/** The TypeScript kernel for the rows the SIMD kernels leave (n % 4 of them), and for matrices without SIMD. */
function tailKernel(dtype: WeightDtype): TailKernel {
  if (dtype === 'f32') return (w, ...a) => matvecF32(w as Float32Array, ...a);
  if (dtype === 'bf16') { const table = bf16Table(); return (w, ...a) => matvecCoded16(table, w as Uint16Array, ...a); }
  const table = FP8_TABLE[dtype];
  return (w, ...a) => matvecCoded8(table, w as Uint8Array, ...a);
}

/** A packed slab's words as the elements the kernels read: f32 values, BF16 halves or FP8 bytes. */
function elementsOf(dtype: WeightDtype, data: Float32Array | Uint32Array): Float32Array | Uint16Array | Uint8Array {
  if (data instanceof Float32Array) return data;
  return dtype === 'bf16' ? new Uint16Array(data.buffer, data.byteOffset, data.length * 2) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

const noSimd = (n: number, k: number, dtype: WeightDtype) =>
  new Error(`linear [${n}, ${k}] ${dtype}: no WebAssembly SIMD kernel here (no SIMD, or an FP8 NaN/Inf code)`);

function fromStore(store: Store, n: number, k: number, spec: LinearSpec, dtype: WeightDtype, stats: QuantStats, kernels: CpuKernels): CpuLinear {
  const kPacked = packedWords(dtype, k), stride = kPacked * elementsPerWord(dtype); // elements from one row to the next
  const w = elementsOf(dtype, store.data), tail = tailKernel(dtype);
  // the SIMD kernels take a copy of the weights (blocks of 8 rows in WebAssembly memory); this one is dropped then
  const simd = kernels === 'typescript' ? null : createSimdMatvec(dtype, w, stride, n, k, tail);
  if (kernels === 'wasm' && !simd) throw noSimd(n, k, dtype);
  if (simd) return fromSimd(simd, store.scales, n, k, spec, dtype, stats);
  const kernel: Kernel = {
    matvec: (xs, xo, out, o, acc) => tail(w, stride, n, k, xs, xo, out, o, acc),
    row: (r, out, o) => decodeRow(dtype, store.data, kPacked, r, k, out, o),
  };
  return fromKernel(kernel, store.scales, n, k, spec, dtype, stats, 'typescript');
}

function fromKernel(kernel: Kernel, ws: Float32Array | null, n: number, k: number, spec: LinearSpec, dtype: WeightDtype, stats: QuantStats,
  name: CpuLinear['kernel'], release = () => {}): CpuLinear {
  const { matvec } = kernel;
  const act = spec.act && ws ? spec.act : null;
  const actTable = act ? FP8_TABLE[act] : null;
  const xCodes = new Uint8Array(act ? k : 0); // one x row's codes
  let xq = new Float32Array(0); // the m quantized x rows (W8A8)
  let sx = new Float32Array(0); // and their dequant scales
  const dots = new Float32Array(ws ? n : 0); // FP8: one x row's dot products, rounded to f32 before scaling

  /** Quantizes x's m rows to the activation format (the recipe's dynamic per-row scales), as code values. */
  function quantizeX(x: Float32Array, m: number): void {
    if (xq.length < m * k) { xq = new Float32Array(m * k); sx = new Float32Array(m); }
    for (let r = 0; r < m; r++) {
      const xo = r * k;
      const amax = clampAmax(absMax(x, xo, xo + k), spec.actBound);
      sx[r] = dequantFactor(amax, act!);
      encodeRow(x, xo, k, amax, act!, xCodes, 0);
      for (let c = 0; c < k; c++) xq[xo + c] = actTable![xCodes[c]];
    }
  }

  function apply(x: Float32Array, m: number, y: Float32Array, accumulate = false): void {
    if (x.length < m * k || y.length < m * n) throw new Error(`linear [${n}, ${k}]: x or y too short for ${m} rows`);
    if (act) quantizeX(x, m);
    const xs = act ? xq : x;
    for (let r = 0; r < m; r++) {
      const yo = r * n;
      if (!ws) { matvec(xs, r * k, y, yo, accumulate); continue; } // f32, bf16: no scales
      matvec(xs, r * k, dots, 0, false);
      for (let i = 0; i < n; i++) {
        const v = Math.fround(dots[i] * (act ? Math.fround(sx[r] * ws[i]) : ws[i]));
        y[yo + i] = accumulate ? y[yo + i] + v : v;
      }
    }
  }

  function row(r: number, out: Float32Array, outOffset = 0): void {
    kernel.row(r, out, outOffset);
    if (ws) for (let c = 0; c < k; c++) out[outOffset + c] *= ws[r];
  }

  return { spec, dtype, n, k, bytes: packedBytes(dtype, n, k), stats, kernel: name, apply, row, release };
}

// The three matvec kernels: the same loop (eight rows at a time with local sums, each x[c] loaded once for all
// eight; then four; the remaining rows with four partial sums) over f32 weights, BF16 halves or FP8 bytes. Separate functions, so each
// stays monomorphic for the JIT (one array type each).

/** y[yo + i] (+)= Σ_c w[i·stride + c] · x[xo + c] for i < n. */
function matvecF32(w: Float32Array, stride: number, n: number, k: number, x: Float32Array, xo: number,
  y: Float32Array, yo: number, accumulate: boolean): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o0 = i * stride, o1 = o0 + stride, o2 = o1 + stride, o3 = o2 + stride;
    const o4 = o3 + stride, o5 = o4 + stride, o6 = o5 + stride, o7 = o6 + stride;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
    for (let c = 0; c < k; c++) {
      const xc = x[xo + c];
      a0 += w[o0 + c] * xc; a1 += w[o1 + c] * xc; a2 += w[o2 + c] * xc; a3 += w[o3 + c] * xc;
      a4 += w[o4 + c] * xc; a5 += w[o5 + c] * xc; a6 += w[o6 + c] * xc; a7 += w[o7 + c] * xc;
    }
    if (accumulate) {
      y[yo + i] += a0; y[yo + i + 1] += a1; y[yo + i + 2] += a2; y[yo + i + 3] += a3;
      y[yo + i + 4] += a4; y[yo + i + 5] += a5; y[yo + i + 6] += a6; y[yo + i + 7] += a7;
    } else {
      y[yo + i] = a0; y[yo + i + 1] = a1; y[yo + i + 2] = a2; y[yo + i + 3] = a3;
      y[yo + i + 4] = a4; y[yo + i + 5] = a5; y[yo + i + 6] = a6; y[yo + i + 7] = a7;
    }
  }
  for (; i + 4 <= n; i += 4) {
    const o0 = i * stride, o1 = o0 + stride, o2 = o1 + stride, o3 = o2 + stride;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (let c = 0; c < k; c++) {
      const xc = x[xo + c];
      a0 += w[o0 + c] * xc;
      a1 += w[o1 + c] * xc;
      a2 += w[o2 + c] * xc;
      a3 += w[o3 + c] * xc;
    }
    if (accumulate) { y[yo + i] += a0; y[yo + i + 1] += a1; y[yo + i + 2] += a2; y[yo + i + 3] += a3; }
    else { y[yo + i] = a0; y[yo + i + 1] = a1; y[yo + i + 2] = a2; y[yo + i + 3] = a3; }
  }
  for (; i < n; i++) {
    const o = i * stride;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    let c = 0;
    for (; c + 4 <= k; c += 4) {
      a0 += w[o + c] * x[xo + c];
      a1 += w[o + c + 1] * x[xo + c + 1];
      a2 += w[o + c + 2] * x[xo + c + 2];
      a3 += w[o + c + 3] * x[xo + c + 3];
    }
    for (; c < k; c++) a0 += w[o + c] * x[xo + c];
    const v = a0 + a1 + (a2 + a3);
    y[yo + i] = accumulate ? y[yo + i] + v : v;
  }
}

/** The same over codes s (BF16 halves) whose values are t[code]. */
function matvecCoded16(t: Float32Array, s: Uint16Array, stride: number, n: number, k: number, x: Float32Array, xo: number,
  y: Float32Array, yo: number, accumulate: boolean): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o0 = i * stride, o1 = o0 + stride, o2 = o1 + stride, o3 = o2 + stride;
    const o4 = o3 + stride, o5 = o4 + stride, o6 = o5 + stride, o7 = o6 + stride;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
    for (let c = 0; c < k; c++) {
      const xc = x[xo + c];
      a0 += t[s[o0 + c]] * xc; a1 += t[s[o1 + c]] * xc; a2 += t[s[o2 + c]] * xc; a3 += t[s[o3 + c]] * xc;
      a4 += t[s[o4 + c]] * xc; a5 += t[s[o5 + c]] * xc; a6 += t[s[o6 + c]] * xc; a7 += t[s[o7 + c]] * xc;
    }
    if (accumulate) {
      y[yo + i] += a0; y[yo + i + 1] += a1; y[yo + i + 2] += a2; y[yo + i + 3] += a3;
      y[yo + i + 4] += a4; y[yo + i + 5] += a5; y[yo + i + 6] += a6; y[yo + i + 7] += a7;
    } else {
      y[yo + i] = a0; y[yo + i + 1] = a1; y[yo + i + 2] = a2; y[yo + i + 3] = a3;
      y[yo + i + 4] = a4; y[yo + i + 5] = a5; y[yo + i + 6] = a6; y[yo + i + 7] = a7;
    }
  }
  for (; i + 4 <= n; i += 4) {
    const o0 = i * stride, o1 = o0 + stride, o2 = o1 + stride, o3 = o2 + stride;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (let c = 0; c < k; c++) {
      const xc = x[xo + c];
      a0 += t[s[o0 + c]] * xc;
      a1 += t[s[o1 + c]] * xc;
      a2 += t[s[o2 + c]] * xc;
      a3 += t[s[o3 + c]] * xc;
    }
    if (accumulate) { y[yo + i] += a0; y[yo + i + 1] += a1; y[yo + i + 2] += a2; y[yo + i + 3] += a3; }
    else { y[yo + i] = a0; y[yo + i + 1] = a1; y[yo + i + 2] = a2; y[yo + i + 3] = a3; }
  }
  for (; i < n; i++) {
    const o = i * stride;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    let c = 0;
    for (; c + 4 <= k; c += 4) {
      a0 += t[s[o + c]] * x[xo + c];
      a1 += t[s[o + c + 1]] * x[xo + c + 1];
      a2 += t[s[o + c + 2]] * x[xo + c + 2];
      a3 += t[s[o + c + 3]] * x[xo + c + 3];
    }
    for (; c < k; c++) a0 += t[s[o + c]] * x[xo + c];
    const v = a0 + a1 + (a2 + a3);
    y[yo + i] = accumulate ? y[yo + i] + v : v;
  }
}

/** The same over codes s (FP8 bytes) whose values are t[code]. */
function matvecCoded8(t: Float32Array, s: Uint8Array, stride: number, n: number, k: number, x: Float32Array, xo: number,
  y: Float32Array, yo: number, accumulate: boolean): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o0 = i * stride, o1 = o0 + stride, o2 = o1 + stride, o3 = o2 + stride;
    const o4 = o3 + stride, o5 = o4 + stride, o6 = o5 + stride, o7 = o6 + stride;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
    for (let c = 0; c < k; c++) {
      const xc = x[xo + c];
      a0 += t[s[o0 + c]] * xc; a1 += t[s[o1 + c]] * xc; a2 += t[s[o2 + c]] * xc; a3 += t[s[o3 + c]] * xc;
      a4 += t[s[o4 + c]] * xc; a5 += t[s[o5 + c]] * xc; a6 += t[s[o6 + c]] * xc; a7 += t[s[o7 + c]] * xc;
    }
    if (accumulate) {
      y[yo + i] += a0; y[yo + i + 1] += a1; y[yo + i + 2] += a2; y[yo + i + 3] += a3;
      y[yo + i + 4] += a4; y[yo + i + 5] += a5; y[yo + i + 6] += a6; y[yo + i + 7] += a7;
    } else {
      y[yo + i] = a0; y[yo + i + 1] = a1; y[yo + i + 2] = a2; y[yo + i + 3] = a3;
      y[yo + i + 4] = a4; y[yo + i + 5] = a5; y[yo + i + 6] = a6; y[yo + i + 7] = a7;
    }
  }
  for (; i + 4 <= n; i += 4) {
    const o0 = i * stride, o1 = o0 + stride, o2 = o1 + stride, o3 = o2 + stride;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (let c = 0; c < k; c++) {
      const xc = x[xo + c];
      a0 += t[s[o0 + c]] * xc;
      a1 += t[s[o1 + c]] * xc;
      a2 += t[s[o2 + c]] * xc;
      a3 += t[s[o3 + c]] * xc;
    }
    if (accumulate) { y[yo + i] += a0; y[yo + i + 1] += a1; y[yo + i + 2] += a2; y[yo + i + 3] += a3; }
    else { y[yo + i] = a0; y[yo + i + 1] = a1; y[yo + i + 2] = a2; y[yo + i + 3] = a3; }
  }
  for (; i < n; i++) {
    const o = i * stride;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    let c = 0;
    for (; c + 4 <= k; c += 4) {
      a0 += t[s[o + c]] * x[xo + c];
      a1 += t[s[o + c + 1]] * x[xo + c + 1];
      a2 += t[s[o + c + 2]] * x[xo + c + 2];
      a3 += t[s[o + c + 3]] * x[xo + c + 3];
    }
    for (; c < k; c++) a0 += t[s[o + c]] * x[xo + c];
    const v = a0 + a1 + (a2 + a3);
    y[yo + i] = accumulate ? y[yo + i] + v : v;
  }
}
