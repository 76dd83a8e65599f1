// WebAssembly SIMD loops for the CPU engine's attention (workers/reference/ops.ts attention()), to the bit.
// The KV cache lives in this module's memory (the engine allocates it here), so the loops read it in place.
//   scores: d[t] = Σ_i q[i]·k_t[i], a double sum, i in order: f64x2 lanes are two positions t, t+1
//   values: o[i] = f32(o[i] + a_t·v_t[i]), t in order, rounded to f32 at every step: lanes are two dimensions
// The softmax between them stays in JavaScript (V8's Math.exp), exactly as ops.ts writes it.
// Tests: tests/unit/simd-attention.test.ts and tests/gpu/simd-attention.test.ts against attention().
import { F64, I32, V128, moduleBytes, op, type Bytes, type Func } from './wasm.ts';
import type { AttentionShape } from '../reference/ops.ts';

// scoresW(q, k, stride, len, first, d): d[t] (= 0 when first) += Σ_{i<W} q[i]·k_t[i], i in order, for t < len:
// one block of W dimensions (8, or 1 for the rest), its q in locals, as ops.ts's loop | locals: t, kp, acc, s, q0..
function scoresKernel(width: number): Func {
  const [Q, K, S, LEN, FIRST, D, T, KP, ACC, SC, Q0] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const dAt: Bytes[] = [op.get(D), op.get(T), op.i32Const(8), op.i32Mul, op.i32Add];
  const lanes = (j: number): Bytes[] => [op.get(KP), op.get(S), op.i32Add, op.get(KP), op.v128Load32Zero(4 * j), op.v128Load32Lane(4 * j, 1)];
  const body: Bytes[] = [
    ...Array.from({ length: width }, (_, j) => [op.get(Q), op.f32Load(4 * j), op.f64PromoteF32, op.f64x2Splat, op.set(Q0 + j)]).flat(),
    op.i32Const(0), op.set(T), op.get(K), op.set(KP),
    op.block(), op.loop(), // pairs of positions t, t+1
    op.get(T), op.i32Const(2), op.i32Add, op.get(LEN), op.i32GtU, op.brIf(1),
    op.get(FIRST), op.if(V128), op.v128Const(new Array(16).fill(0)), op.else, ...dAt, op.v128Load(0), op.end, op.set(ACC),
    ...Array.from({ length: width }, (_, j) => [op.get(ACC), ...lanes(j), op.f64x2PromoteLowF32x4, op.get(Q0 + j), op.f64x2Mul, op.f64x2Add, op.set(ACC)]).flat(),
    ...dAt, op.get(ACC), op.v128Store(0),
    op.get(KP), op.get(S), op.i32Const(2), op.i32Mul, op.i32Add, op.set(KP),
    op.get(T), op.i32Const(2), op.i32Add, op.set(T), op.br(0),
    op.end, op.end,
    // the last position, when len is odd
    op.get(T), op.get(LEN), op.i32LtU, op.if(),
    op.get(FIRST), op.if(F64), op.f64Const(0), op.else, ...dAt, op.f64Load(0), op.end, op.set(SC),
    ...Array.from({ length: width }, (_, j) => [op.get(SC), op.get(KP), op.f32Load(4 * j), op.f64PromoteF32, op.get(Q0 + j), op.f64x2ExtractLane(0), op.f64Mul, op.f64Add, op.set(SC)]).flat(),
    ...dAt, op.get(SC), op.f64Store(0),
    op.end,
  ];
  return { name: `scores${width}`, params: [I32, I32, I32, I32, I32, I32], locals: [I32, I32, V128, F64, ...new Array<number>(width).fill(V128)], body };
}

// valuesW(a, v, stride, len, o): o[i] = Σ_t a_t·v_t[i], t in order, f32 after every step, for i < 2W (W pairs of
// dimensions in f64x2 lanes; 2W = 8, or 2) | locals: t, ap, vp, av, o0..
function valuesKernel(pairs: number): Func {
  const [A, VV, S, LEN, O, T, AP, VP, AV, O0] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const body: Bytes[] = [
    ...Array.from({ length: pairs }, (_, j) => [op.v128Const(new Array(16).fill(0)), op.set(O0 + j)]).flat(),
    op.get(A), op.set(AP), op.get(VV), op.set(VP), op.i32Const(0), op.set(T),
    op.loop(),
    op.get(AP), op.f32Load(0), op.f64PromoteF32, op.f64x2Splat, op.set(AV),
    ...Array.from({ length: pairs }, (_, j) => [op.get(O0 + j), op.get(VP), op.v128Load64Zero(8 * j), op.f64x2PromoteLowF32x4, op.get(AV), op.f64x2Mul, op.f64x2Add,
      op.f32x4DemoteF64x2Zero, op.f64x2PromoteLowF32x4, op.set(O0 + j)]).flat(),
    op.get(AP), op.i32Const(4), op.i32Add, op.set(AP), op.get(VP), op.get(S), op.i32Add, op.set(VP),
    op.get(T), op.i32Const(1), op.i32Add, op.tee(T), op.get(LEN), op.i32LtU, op.brIf(0),
    op.end,
    ...Array.from({ length: 2 * pairs }, (_, i) => [op.get(O), op.get(O0 + (i >> 1)), op.f32x4DemoteF64x2Zero, op.f32x4ExtractLane(i & 1), op.f32Store(4 * i)]).flat(),
  ];
  return { name: `values${2 * pairs}`, params: [I32, I32, I32, I32, I32], locals: [I32, I32, I32, V128, ...new Array<number>(pairs).fill(V128)], body };
}

type Scores = (q: number, k: number, stride: number, len: number, first: number, d: number) => void;
type Values = (a: number, v: number, stride: number, len: number, o: number) => void;
let compiled: WebAssembly.Module | null | undefined;

function attentionModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  const bytes = moduleBytes([scoresKernel(8), scoresKernel(1), valuesKernel(4), valuesKernel(1)]);
  compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  return compiled;
}

export interface SimdAttention {
  /** Key and value caches of `floats` each, in this module's memory (the only caches attention() here reads). */
  readonly keyCache: Float32Array;
  readonly valueCache: Float32Array;
  /** ops.ts attention() without probs, for kCache/vCache views of the caches above. */
  attention(out: Float32Array, q: Float32Array, kCache: Float32Array, vCache: Float32Array, rows: number, pos0: number, s: AttentionShape): void;
}

/** Caches of `floats` each and the loops over them; null where SIMD is missing or they do not fit 4 GiB. */
export function createSimdAttention(floats: number, maxSeq: number, headDim: number): SimdAttention | null {
  const module = attentionModule();
  const align = (b: number) => Math.ceil(b / 16) * 16;
  const dAt = 0, attAt = align(8 * maxSeq), qAt = attAt + align(4 * maxSeq), oAt = qAt + align(4 * headDim), kAt = oAt + align(4 * headDim + 4);
  const vAt = kAt + align(4 * floats), bytes = vAt + 4 * floats + 16; // + 16: values2 reads one float past a head
  if (!module || bytes > 2 ** 32 - 2 ** 16) return null;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
  const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const scores8 = ex.scores8 as Scores, scores1 = ex.scores1 as Scores, values8 = ex.values8 as Values, values2 = ex.values2 as Values;
  const buf = memory.buffer;
  const d = new Float64Array(buf, dAt, maxSeq), att = new Float32Array(buf, attAt, maxSeq);
  const qv = new Float32Array(buf, qAt, headDim), ov = new Float32Array(buf, oAt, headDim + 1); // + 1: values2 on an odd last dim
  const keyCache = new Float32Array(buf, kAt, floats), valueCache = new Float32Array(buf, vAt, floats);

  function attention(out: Float32Array, q: Float32Array, kCache: Float32Array, vCache: Float32Array, rows: number, pos0: number, s: AttentionShape): void {
    const { nHeads, nKvHeads, headDim: hd } = s;
    if (kCache.buffer !== buf || vCache.buffer !== buf || hd !== headDim) throw new Error('simd attention: the caches must be this module\'s');
    const kvDim = nKvHeads * hd, group = nHeads / nKvHeads, scale = 1 / Math.sqrt(hd);
    for (let r = 0; r < rows; r++) {
      const pos = pos0 + r, len = pos + 1;
      if (len > maxSeq) throw new Error(`simd attention: position ${pos} past ${maxSeq}`);
      for (let h = 0; h < nHeads; h++) {
        const qo = (r * nHeads + h) * hd, kvo = Math.floor(h / group) * hd;
        for (let i = 0; i < hd; i++) qv[i] = q[qo + i];
        const kAt = kCache.byteOffset + 4 * kvo, vAt = vCache.byteOffset + 4 * kvo;
        let i = 0;
        for (; i + 8 <= hd; i += 8) scores8(qAt + 4 * i, kAt + 4 * i, 4 * kvDim, len, i === 0 ? 1 : 0, dAt);
        for (; i < hd; i++) scores1(qAt + 4 * i, kAt + 4 * i, 4 * kvDim, len, i === 0 ? 1 : 0, dAt);
        let max = -Infinity;
        for (let t = 0; t < len; t++) { const score = d[t] * scale; att[t] = score; if (score > max) max = score; }
        let sum = 0;
        for (let t = 0; t < len; t++) { const e = Math.exp(att[t] - max); att[t] = e; sum += e; }
        // (an odd last dimension is summed beside its neighbour in the cache, read but not kept: each lane is its own sum)
        for (i = 0; i + 8 <= hd; i += 8) values8(attAt, vAt + 4 * i, 4 * kvDim, len, oAt + 4 * i);
        for (; i < hd; i += 2) values2(attAt, vAt + 4 * i, 4 * kvDim, len, oAt + 4 * i);
        const inv = 1 / sum;
        for (let j = 0; j < hd; j++) out[qo + j] = ov[j] * inv;
      }
    }
  }
  return { keyCache, valueCache, attention };
}
