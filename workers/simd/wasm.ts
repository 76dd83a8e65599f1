// A WebAssembly binary writer just large enough for the SIMD kernels of workers/simd/: opcodes by name, LEB128
// immediates, and a module of functions over one imported memory. Emitting the bytes from TypeScript keeps the
// kernels in the source tree with no compiler, no build step and no generated file (Node, Vitest and Vite load
// them like any other module). Encoding: the WebAssembly core spec §5 (binary format) and the SIMD proposal's
// opcode table (github.com/WebAssembly/simd, proposals/simd/BinarySIMD.md).

export type Bytes = number[];

/** Unsigned LEB128. */
export function uleb(n: number): Bytes {
  const out: Bytes = [];
  do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n);
  return out;
}

/** Signed LEB128 of a 32-bit integer. */
export function sleb(n: number): Bytes {
  const out: Bytes = [];
  n |= 0;
  for (;;) {
    const b = n & 0x7f; n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) { out.push(b); return out; }
    out.push(b | 0x80);
  }
}

export const I32 = 0x7f, F64 = 0x7c, V128 = 0x7b, VOID = 0x40;

const simd = (op: number): Bytes => [0xfd, ...uleb(op)];
const mem = (op: Bytes, align: number) => (offset = 0): Bytes => [...op, align, ...uleb(offset)];

/** The instructions the kernels use (memory ones take their offset; alignment hints are the natural ones). */
export const op = {
  block: (t = VOID): Bytes => [0x02, t], loop: (t = VOID): Bytes => [0x03, t], if: (t = VOID): Bytes => [0x04, t],
  else: [0x05], end: [0x0b], br: (d: number): Bytes => [0x0c, ...uleb(d)], brIf: (d: number): Bytes => [0x0d, ...uleb(d)],
  get: (i: number): Bytes => [0x20, ...uleb(i)], set: (i: number): Bytes => [0x21, ...uleb(i)], tee: (i: number): Bytes => [0x22, ...uleb(i)],
  f32Load: mem([0x2a], 2), f32Store: mem([0x38], 2), f64Store: mem([0x39], 3), f64Load: mem([0x2b], 3),
  i32Load: mem([0x28], 2), i32Load8U: mem([0x2d], 0), i32Load16U: mem([0x2f], 1),
  i32Store: mem([0x36], 2), i32Store8: mem([0x3a], 0), i32Store16: mem([0x3b], 1),
  i32Const: (n: number): Bytes => [0x41, ...sleb(n)], i32Eqz: [0x45], i32Sub: [0x6b], i32And: [0x71], select: [0x1b],
  f64Const: (x: number): Bytes => { const b = new Uint8Array(new Float64Array([x]).buffer); return [0x44, ...b]; },
  i32GeU: [0x4f], i32GtU: [0x4b], i32LtU: [0x49], i32Add: [0x6a], i32Mul: [0x6c],
  f64Add: [0xa0], f64Mul: [0xa2], f32DemoteF64: [0xb6], f64PromoteF32: [0xbb],
  v128Load: mem(simd(0x00), 4), v128Load8x8U: mem(simd(0x02), 3), v128Load64Zero: mem(simd(0x5d), 3),
  v128Load32Zero: mem(simd(0x5c), 2), v128Store: mem(simd(0x0b), 3),
  v128Load32Lane: (offset: number, lane: number): Bytes => [...simd(0x56), 2, ...uleb(offset), lane],
  v128Const: (bytes: ArrayLike<number>): Bytes => [...simd(0x0c), ...Array.from(bytes)],
  i32x4Const: (a: number): Bytes => [...simd(0x0c), ...new Uint8Array(new Int32Array([a, a, a, a]).buffer)],
  shuffle: (lanes: number[]): Bytes => [...simd(0x0d), ...lanes],
  f64x2Splat: simd(0x14), f64x2ExtractLane: (l: number): Bytes => [...simd(0x21), l],
  v128And: simd(0x4e), v128Or: simd(0x50),
  f64x2PromoteLowF32x4: simd(0x5f), f32x4DemoteF64x2Zero: simd(0x5e), f32x4ExtractLane: (l: number): Bytes => [...simd(0x1f), l],
  i32x4ExtendLowI16x8U: simd(0xa9), i32x4ExtendHighI16x8U: simd(0xaa), i32x4Shl: simd(0xab),
  f64x2Add: simd(0xf0), f64x2Mul: simd(0xf2),
};

export interface Func { name: string; params: number[]; locals: number[]; body: Bytes[] }

const section = (id: number, content: Bytes): Bytes => [id, ...uleb(content.length), ...content];
const vec = (items: Bytes[]): Bytes => [...uleb(items.length), ...items.flat()];
const name = (s: string): Bytes => vec([...s].map((c) => [c.charCodeAt(0)]));

/** The most pages a 32-bit memory has (4 GiB). */
export const MAX_PAGES = 65536;

/**
 * A module importing memory "env"."memory" and exporting each function (no results) by its name; `shared`: the
 * memory is a shared one (threads: limits must then say a maximum).
 */
export function moduleBytes(funcs: Func[], shared = false): Uint8Array<ArrayBuffer> {
  const types = funcs.map((f) => [0x60, ...vec(f.params.map((p) => [p])), 0]);
  // memory, limits: min 1 and no max (0x00), or shared with a max (0x03)
  const limits = shared ? [0x03, 0x01, ...uleb(MAX_PAGES)] : [0x00, 0x01];
  const imports = [[...name('env'), ...name('memory'), 0x02, ...limits]];
  const bodies = funcs.map((f) => {
    const locals = f.locals.map((t) => [1, t]); // one entry per local: simple, and these functions have few
    const code = [...vec(locals), ...f.body.flat(), ...op.end];
    return [...uleb(code.length), ...code];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec(imports)),
    ...section(3, vec(funcs.map((_, i) => uleb(i)))),
    ...section(7, vec(funcs.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(bodies)),
  ]);
}
