// WebAssembly SIMD matvecs for the CPU engine, computing what workers/reference/linear.ts's TypeScript kernels
// compute, to the bit: y[i] (+)= Σ_c w[i,c] · x[c], each row summed in one double, c = 0..k-1 in order.
// SIMD goes ACROSS rows, never along a sum: an f64x2 lane is one row's accumulator, so every row adds the same
// terms in the same order as the scalar loop (products of two f32 values are exact in double; f64x2.add rounds as
// the scalar add does). For contiguous lane loads, the weights are laid out at load in blocks of 8 rows,
// w[block][c][row 0..7] (f32, BF16 halves or FP8 bytes), in the kernel's own WebAssembly memory.
// Decoding in lanes, exact: BF16 → f32 is the half in the top 16 bits; FP8 (e4m3: bias 7, e5m2: bias 15) is the
// code's magnitude shifted into f32's exponent/mantissa fields, read as an f32 that is the value · 2^-(127-bias)
// (subnormal codes land on f32 subnormals, which scale the same), times 2^(127-bias) folded into x[c].
// Matrices holding an FP8 code that rule does not decode (NaN, Inf) keep the TypeScript kernel.
// The rows past the last multiple of 4 (n % 4 of them) are summed by linear.ts's kernel with four partial sums,
// as there; they are kept row-major beside the blocks.
// Tests: tests/unit/simd-matvec.test.ts (Node) and tests/gpu/simd-matvec.test.ts (Chromium).
import { F64, I32, MAX_PAGES, V128, moduleBytes, op, type Bytes, type Func } from './wasm.ts';
import { bf16Table } from '../quant/bf16.ts';
import { copyBf16Rows } from '../quant/pack.ts';
import { interleaveFuncs, type Put } from './interleave.ts';
import { FP8_TABLE } from '../quant/fp8.ts';
import type { WeightDtype } from '../quant/types.ts';

/** Bytes per 8-row block per column c, and the kernel's export name, per dtype. */
const STEP: Record<WeightDtype, number> = { f32: 32, bf16: 16, fp8e4m3: 8, fp8e5m2: 8 };
/** FP8: where the 7 magnitude bits go in f32 (23 - mantissa bits) and the power of two that restores the value. */
const FP8_RULE = { fp8e4m3: { shift: 20, scale: 2 ** 120 }, fp8e5m2: { shift: 21, scale: 2 ** 112 } } as const;

// params: w x y k b0 b1 acc | locals: b p xp xend yp, a0..a3, xc, t, u
const [W, X, Y, K, B0, B1, ACC, B, P, XP, XEND, YP, A0, XC, T, U] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 16, 17, 18];
const ZERO16 = new Array<number>(16).fill(0);
const HIGH_TO_LOW = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];

/** a_j += value · xc, the value (rows 2j, 2j+1 as f64x2) left on the stack by `value`. */
const madd = (j: number, value: Bytes[]): Bytes[] => [op.get(A0 + j), ...value, op.get(XC), op.f64x2Mul, op.f64x2Add, op.set(A0 + j)];

/** The loads of one column of a block: four f64x2 values (rows 0-1, 2-3, 4-5, 6-7), each added into its a_j. */
function columnBody(dtype: WeightDtype): Bytes[] {
  if (dtype === 'f32') return [0, 1, 2, 3].flatMap((j) => madd(j, [op.get(P), op.v128Load64Zero(8 * j), op.f64x2PromoteLowF32x4]));
  if (dtype === 'bf16') {
    // halves 2j, 2j+1 (bytes 4j..4j+3) into the top half of f32 lanes 0, 1 (lane bytes 2, 3); 16 selects a zero byte
    const lanes = (j: number) => [16, 16, 4 * j, 4 * j + 1, 16, 16, 4 * j + 2, 4 * j + 3, 16, 16, 16, 16, 16, 16, 16, 16];
    return [[...op.get(P), ...op.v128Load(0)], op.set(T),
      ...[0, 1, 2, 3].flatMap((j) => madd(j, [op.get(T), op.v128Const(ZERO16), op.shuffle(lanes(j)), op.f64x2PromoteLowF32x4]))];
  }
  const { shift } = FP8_RULE[dtype];
  // f32 bits of 4 codes v (i32 lanes): (v & 0x7f) << shift | (v & 0x80) << 24, into U
  const toF32 = (extend: Bytes): Bytes[] => [op.get(T), extend, op.set(U),
    op.get(U), op.i32x4Const(0x7f), op.v128And, op.i32Const(shift), op.i32x4Shl,
    op.get(U), op.i32x4Const(0x80), op.v128And, op.i32Const(24), op.i32x4Shl, op.v128Or, op.set(U)];
  return [[...op.get(P), ...op.v128Load8x8U(0)], op.set(T),
    ...toF32(op.i32x4ExtendLowI16x8U),
    ...madd(0, [op.get(U), op.f64x2PromoteLowF32x4]),
    ...madd(1, [op.get(U), op.get(U), op.shuffle(HIGH_TO_LOW), op.f64x2PromoteLowF32x4]),
    ...toF32(op.i32x4ExtendHighI16x8U),
    ...madd(2, [op.get(U), op.f64x2PromoteLowF32x4]),
    ...madd(3, [op.get(U), op.get(U), op.shuffle(HIGH_TO_LOW), op.f64x2PromoteLowF32x4])];
}

/** mv(w, x, y, k, b0, b1, acc): for blocks b0..b1-1, y[8b + r] (+)= Σ_c W_b[c][r] · x[c] (f32 y, f32 x). */
function kernel(dtype: WeightDtype): Func {
  const step = STEP[dtype];
  const xc: Bytes[] = [op.get(XP), op.f32Load(0), op.f64PromoteF32];
  if (dtype === 'fp8e4m3' || dtype === 'fp8e5m2') xc.push(op.f64Const(FP8_RULE[dtype].scale), op.f64Mul);
  const store = (r: number): Bytes[] => [op.get(YP),
    op.get(ACC), op.if(F64), op.get(YP), op.f32Load(4 * r), op.f64PromoteF32, op.get(A0 + (r >> 1)), op.f64x2ExtractLane(r & 1), op.f64Add,
    op.else, op.get(A0 + (r >> 1)), op.f64x2ExtractLane(r & 1), op.end,
    op.f32DemoteF64, op.f32Store(4 * r)];
  const body: Bytes[] = [
    op.get(W), op.get(B0), op.get(K), op.i32Mul, op.i32Const(step), op.i32Mul, op.i32Add, op.set(P),
    op.get(B0), op.set(B),
    op.block(), op.loop(),
    op.get(B), op.get(B1), op.i32GeU, op.brIf(1),
    ...[0, 1, 2, 3].flatMap((j) => [op.v128Const(ZERO16), op.set(A0 + j)]),
    op.get(X), op.set(XP), op.get(X), op.get(K), op.i32Const(4), op.i32Mul, op.i32Add, op.set(XEND),
    op.get(K), op.if(), op.loop(),
    ...xc, op.f64x2Splat, op.set(XC),
    ...columnBody(dtype),
    op.get(P), op.i32Const(step), op.i32Add, op.set(P),
    op.get(XP), op.i32Const(4), op.i32Add, op.tee(XP), op.get(XEND), op.i32LtU, op.brIf(0),
    op.end, op.end,
    op.get(Y), op.get(B), op.i32Const(32), op.i32Mul, op.i32Add, op.set(YP),
    ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap(store),
    op.get(B), op.i32Const(1), op.i32Add, op.set(B), op.br(0),
    op.end, op.end,
  ];
  return { name: dtype, params: [I32, I32, I32, I32, I32, I32, I32], locals: [I32, I32, I32, I32, I32, V128, V128, V128, V128, V128, V128, V128], body };
}

type Kernel = (w: number, x: number, y: number, k: number, b0: number, b1: number, acc: number) => void;

const compiled: [WebAssembly.Module | null | undefined, WebAssembly.Module | null | undefined] = [undefined, undefined];

/**
 * The module, compiled once; null where WebAssembly SIMD is missing (the engine then says so: simdNotice).
 * `shared`: the build over a shared memory, for a pool of threads (null where threads are missing too).
 */
export function simdModule(shared = false): WebAssembly.Module | null {
  const i = shared ? 1 : 0;
  if (compiled[i] !== undefined) return compiled[i];
  const bytes = moduleBytes([...(['f32', 'bf16', 'fp8e4m3', 'fp8e5m2'] as const).map(kernel), ...interleaveFuncs()], shared);
  compiled[i] = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  return compiled[i];
}

/** Runs blocks b0 .. b1-1 of a matrix laid out as below: y[8b + r] (+)= Σ_c W_b[c][r] · x[c]. */
export type BlockKernel = (b0: number, b1: number, accumulate: boolean) => void;

/** Where a matrix's kernel finds it in its memory (a pool's threads instantiate the shared module over it). */
export interface SimdLayout { memory: WebAssembly.Memory; dtype: WeightDtype; k: number; wAt: number; xAt: number; yAt: number; blocks: number }

/** The block kernel over a layout's memory (an instance of its own: one per thread). */
export function blockKernel(l: SimdLayout, shared: boolean): BlockKernel {
  const mv = (new WebAssembly.Instance(simdModule(shared)!, { env: { memory: l.memory } }).exports[l.dtype]) as Kernel;
  return (b0, b1, accumulate) => mv(l.wAt, l.xAt, l.yAt, l.k, b0, b1, accumulate ? 1 : 0);
}

/** The line the engine shows when the CPU runs on the TypeScript kernels for want of WebAssembly SIMD. */
export function simdNotice(): string | null {
  return simdModule() ? null : 'WebAssembly SIMD unavailable: the CPU engine runs its TypeScript kernels (slower)';
}

/** What the reference kernel of linear.ts is called with for the rows past the blocks. */
export type TailKernel = (w: Float32Array | Uint16Array | Uint8Array, stride: number, n: number, k: number,
  x: Float32Array, xo: number, y: Float32Array, yo: number, accumulate: boolean) => void;

export interface SimdMatvec {
  /** y[yo + i] (+)= W[i,:] · x[xo ..] for rows i in [r0, r1) (r0 a multiple of 8; the default: every row). */
  matvec(x: Float32Array, xo: number, y: Float32Array, yo: number, accumulate: boolean, r0?: number, r1?: number): void;
  /** Row r's values (no FP8 scale) into out[o ..]. */
  row(r: number, out: Float32Array, o: number): void;
  /** The pieces of matvec for a pool of threads: stage x (and y where accumulating) into the memory, run blocks
   * (each thread its own; `run` is this thread's), then collect y and add the tail rows. */
  layout: SimdLayout;
  stage(x: Float32Array, xo: number, y: Float32Array, yo: number, accumulate: boolean): void;
  run: BlockKernel;
  collect(x: Float32Array, xo: number, y: Float32Array, yo: number, accumulate: boolean): void;
}

/** FP8 codes whose value the lane rule above does not give (NaN and Inf codes): true where it does. */
function fp8RuleHolds(dtype: 'fp8e4m3' | 'fp8e5m2'): Uint8Array {
  const t = FP8_TABLE[dtype], f = new Float32Array(1), u = new Uint32Array(f.buffer), ok = new Uint8Array(256);
  const { shift, scale } = FP8_RULE[dtype];
  for (let c = 0; c < 256; c++) { u[0] = ((c & 0x7f) << shift) | ((c & 0x80) << 24); ok[c] = Object.is(f[0] * scale, t[c]) ? 1 : 0; }
  return ok;
}

/** Builds a SimdMatvec slab by slab, so a matrix read from a file is never held twice (its rows go straight into
 * the kernel's memory). */
export interface SimdMatvecBuilder {
  /** Rows [r0, r0 + rows) from src (row i - r0's elements at (i - r0)·stride, as linear.ts stores them); false where
   * an FP8 code has no lane rule (the builder is then unusable: the caller keeps the TypeScript kernel). */
  put(src: Float32Array | Uint16Array | Uint8Array, stride: number, r0: number, rows: number): boolean;
  /** Rows [r0, r0 + rows) of a BF16 matrix as its file stores them (row i - r0 at (i - r0)·k), every NaN made the
   * canonical one; `seen` keeps the largest code without its sign and the NaNs counted (what packing computes). */
  putBf16File(src: Uint16Array, r0: number, rows: number, seen: Bf16Seen): void;
  /** The matvec, once every row is in. */
  finish(tail: TailKernel): SimdMatvec;
}

/** What a BF16 file's rows held: the largest |code| (its sign bit cleared) and how many NaNs. */
export interface Bf16Seen { top: number; nan: number }

/**
 * A builder for the SIMD matvec of an n x k matrix, or null where SIMD is missing. Throws a RangeError where the
 * kernel's memory cannot be had.
 */
export function simdMatvecBuilder(dtype: WeightDtype, n: number, k: number, shared = false): SimdMatvecBuilder | null {
  if (!simdModule(shared)) return null;
  const ok = dtype === 'fp8e4m3' || dtype === 'fp8e5m2' ? fp8RuleHolds(dtype) : null;
  const nFast = n - (n % 4), blocks = Math.ceil(nFast / 8), step = STEP[dtype];
  const align = (b: number) => Math.ceil(b / 16) * 16;
  const elem = step / 8;
  // 8 rows staged for the loading functions of interleave.ts (any stride up to stageStride elements), then 8 bytes
  // of their stats: 0.4% of a 2048-row matrix, and it spares the first load a cold JavaScript loop over every weight
  const stageStride = Math.ceil(k / 16) * 16;
  const xAt = 0, yAt = align(4 * k), wAt = yAt + align(32 * blocks), stageAt = align(wAt + blocks * k * step);
  const statsAt = stageAt + 8 * stageStride * elem;
  const pages = Math.max(1, Math.ceil((statsAt + 8) / 65536));
  if (pages > MAX_PAGES) throw new RangeError(`a [${n}, ${k}] ${dtype} matrix is more than a 4 GiB WebAssembly memory holds`);
  const memory = shared ? new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }) : new WebAssembly.Memory({ initial: pages });
  const layout: SimdLayout = { memory, dtype, k, wAt, xAt, yAt, blocks };
  const run = blockKernel(layout, shared);
  const loaders = new WebAssembly.Instance(simdModule(shared)!, { env: { memory } }).exports;
  const putBlock = loaders[`put${elem}`] as Put, putBf16 = loaders.putBf16 as Put;
  const buf = memory.buffer;
  const xv = new Float32Array(buf, xAt, k), yv = new Float32Array(buf, yAt, 8 * blocks);
  const stats = new Uint32Array(buf, statsAt, 2);
  const stage = elem === 4 ? new Float32Array(buf, stageAt, 8 * stageStride) : elem === 2 ? new Uint16Array(buf, stageAt, 8 * stageStride) : new Uint8Array(buf, stageAt, 8 * stageStride);
  const wv = elem === 4 ? new Float32Array(buf, wAt, blocks * k * 8) : elem === 2 ? new Uint16Array(buf, wAt, blocks * k * 8) : new Uint8Array(buf, wAt, blocks * k * 8);
  // the rows past nFast, row-major (stride k), as the reference kernel reads them
  const tailRows = elem === 4 ? new Float32Array((n - nFast) * k) : elem === 2 ? new Uint16Array((n - nFast) * k) : new Uint8Array((n - nFast) * k);
  const table = dtype === 'bf16' ? bf16Table() : dtype === 'f32' ? null : FP8_TABLE[dtype];

  function put(src: Float32Array | Uint16Array | Uint8Array, stride: number, r0: number, rows: number): boolean {
    if (ok) for (let i = 0; i < rows; i++) for (let c = 0, o = i * stride; c < k; c++) if (!ok[src[o + c]]) return false;
    place(src, stride, r0, rows, null);
    return true;
  }

  function putBf16File(src: Uint16Array, r0: number, rows: number, seen: Bf16Seen): void {
    if (dtype !== 'bf16') throw new Error(`simd matvec: BF16 file rows into a ${dtype} matrix`);
    place(src, k, r0, rows, seen);
  }

  /** Whole 8-row blocks through the loading functions, the rest (a slab's edges inside a block, the tail rows) here. */
  function place(src: Float32Array | Uint16Array | Uint8Array, stride: number, r0: number, rows: number, seen: Bf16Seen | null): void {
    if (seen) stats.fill(0);
    for (let j = 0; j < rows;) {
      const i = r0 + j, o = j * stride;
      if ((i & 7) === 0 && i + 8 <= nFast && j + 8 <= rows && stride <= stageStride) {
        stage.set(src.subarray(o, o + 7 * stride + k));
        (seen ? putBf16 : putBlock)(stageAt, stride * elem, k, wAt + (i >> 3) * k * step, statsAt);
        j += 8;
        continue;
      }
      if (seen) { const row = (src as Uint16Array).subarray(o, o + k); seen.top = Math.max(seen.top, copyBf16Rows(row, row, 1, k, k, seen)); } // in place
      if (i >= nFast) tailRows.set(src.subarray(o, o + k), (i - nFast) * k);
      else {
        const b = i >> 3, r = i & 7; // row i → block i >> 3, lane i & 7 (the padding rows stay zero)
        for (let c = 0; c < k; c++) wv[(b * k + c) * 8 + r] = src[o + c];
      }
      j++;
    }
    if (seen) { seen.top = Math.max(seen.top, stats[0]); seen.nan += stats[1]; }
  }

  function finish(tail: TailKernel): SimdMatvec {
    function matvec(x: Float32Array, xo: number, y: Float32Array, yo: number, accumulate: boolean, r0 = 0, r1 = n): void {
      if (r0 % 8 !== 0 || r1 < r0 || r1 > n) throw new Error(`simd matvec: rows [${r0}, ${r1}) of ${n} (r0 must be a multiple of 8)`);
      const f1 = Math.min(r1, nFast);
      if (f1 > r0) {
        xv.set(x.subarray(xo, xo + k));
        if (accumulate) yv.set(y.subarray(yo + r0, yo + f1), r0);
        run(r0 >> 3, Math.ceil(f1 / 8), accumulate);
        y.set(yv.subarray(r0, f1), yo + r0);
      }
      const t0 = Math.max(r0, nFast);
      if (r1 > t0) tail(tailRows.subarray((t0 - nFast) * k), k, r1 - t0, k, x, xo, y, yo + t0, accumulate);
    }

    function stage(x: Float32Array, xo: number, y: Float32Array, yo: number, accumulate: boolean): void {
      xv.set(x.subarray(xo, xo + k));
      if (accumulate) yv.set(y.subarray(yo, yo + nFast));
    }

    function collect(x: Float32Array, xo: number, y: Float32Array, yo: number, accumulate: boolean): void {
      y.set(yv.subarray(0, nFast), yo);
      if (n > nFast) tail(tailRows, k, n - nFast, k, x, xo, y, yo + nFast, accumulate);
    }

    function row(r: number, out: Float32Array, o: number): void {
      const fast = r < nFast, base = fast ? ((r >> 3) * k) * 8 + (r & 7) : (r - nFast) * k, d = fast ? 8 : 1, from = fast ? wv : tailRows;
      for (let c = 0; c < k; c++) { const v = from[base + c * d]; out[o + c] = table ? table[v] : v; }
    }

    return { matvec, row, layout, stage, run, collect };
  }

  return { put, putBf16File, finish };
}

/**
 * The SIMD matvec of an n x k matrix given as linear.ts stores it (row i's elements at i·stride: f32 values, BF16
 * halves or FP8 bytes), or null where SIMD is missing or an FP8 code has no lane rule. Copies the weights: the
 * caller drops its own.
 */
export function createSimdMatvec(dtype: WeightDtype, src: Float32Array | Uint16Array | Uint8Array, stride: number, n: number, k: number,
  tail: TailKernel): SimdMatvec | null {
  const builder = simdMatvecBuilder(dtype, n, k);
  return builder && builder.put(src, stride, 0, n) ? builder.finish(tail) : null;
}
