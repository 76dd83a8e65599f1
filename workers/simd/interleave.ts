// Loading a matrix into the SIMD kernels' layout (workers/simd/matvec.ts: blocks of 8 rows, w[block][c][row 0..7])
// in WebAssembly rather than in a JavaScript loop: a page's first load runs cold JavaScript (the interpreter, before
// V8's optimizing tiers catch up), where this byte shuffle cost ~50 ms on the default model and the BF16 file copy
// before it ~60 ms more; the same work compiled once by the baseline WebAssembly compiler is a few ms.
//   put{1,2,4}(src, stride, k, dst, stats): 8 rows of k elements of 1, 2 or 4 bytes, row r at src + r·stride
//     bytes, into the block at dst (element c of row r at dst + (8c + r)·size).
//   putBf16(...): put2 for BF16 halves as a file stores them, making every NaN the canonical 0x7FC0 (as
//     workers/quant/bf16.ts bf16FromBits does) and keeping, at stats, the largest code without its sign (u32, the
//     max of what is there and this block's) and the NaNs counted (u32, added): what packing the file computes.
import { I32, op, type Bytes, type Func } from './wasm.ts';
import { BF16_NAN } from '../quant/bf16.ts';

// params: src stride k dst stats | locals: r c s d h a top nan
const [SRC, STRIDE, K, DST, STATS, R, C, S, D, H, A, TOP, NAN] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

const LOAD = { 1: op.i32Load8U, 2: op.i32Load16U, 4: op.i32Load } as const;
const STORE = { 1: op.i32Store8, 2: op.i32Store16, 4: op.i32Store } as const;

function put(size: 1 | 2 | 4, bf16Scan: boolean): Func {
  // h = h's NaN made canonical (nan counted), else top = max(top, |h|)
  const scan: Bytes[] = [
    op.get(H), op.i32Const(0x7fff), op.i32And, op.set(A),
    op.get(A), op.i32Const(0x7f80), op.i32GtU,
    op.if(), op.get(NAN), op.i32Const(1), op.i32Add, op.set(NAN), op.i32Const(BF16_NAN), op.set(H),
    op.else, op.get(A), op.get(TOP), op.get(A), op.get(TOP), op.i32GtU, op.select, op.set(TOP), op.end,
  ];
  const finish: Bytes[] = [
    op.get(STATS), op.get(TOP), op.get(STATS), op.i32Load(0), op.get(TOP), op.get(STATS), op.i32Load(0), op.i32GtU, op.select, op.i32Store(0),
    op.get(STATS), op.get(STATS), op.i32Load(4), op.get(NAN), op.i32Add, op.i32Store(4),
  ];
  const body: Bytes[] = [
    op.block(), op.loop(),
    op.get(R), op.i32Const(8), op.i32GeU, op.brIf(1),
    op.get(SRC), op.get(R), op.get(STRIDE), op.i32Mul, op.i32Add, op.set(S),
    op.get(DST), op.get(R), op.i32Const(size), op.i32Mul, op.i32Add, op.set(D),
    op.get(K), op.set(C),
    op.block(), op.loop(),
    op.get(C), op.i32Eqz, op.brIf(1),
    op.get(S), LOAD[size](0), op.set(H),
    ...(bf16Scan ? scan : []),
    op.get(D), op.get(H), STORE[size](0),
    op.get(S), op.i32Const(size), op.i32Add, op.set(S),
    op.get(D), op.i32Const(8 * size), op.i32Add, op.set(D),
    op.get(C), op.i32Const(1), op.i32Sub, op.set(C),
    op.br(0),
    op.end, op.end,
    op.get(R), op.i32Const(1), op.i32Add, op.set(R), op.br(0),
    op.end, op.end,
    ...(bf16Scan ? finish : []),
  ];
  return { name: bf16Scan ? 'putBf16' : `put${size}`, params: [I32, I32, I32, I32, I32], locals: new Array<number>(8).fill(I32), body };
}

/** The loading functions, beside the kernels in their module. */
export const interleaveFuncs = (): Func[] => [put(1, false), put(2, false), put(4, false), put(2, true)];

/** The exports' signature: 8 rows from src into the block at dst (byte addresses in the kernel's memory). */
export type Put = (src: number, stride: number, k: number, dst: number, stats: number) => void;
