// F16, BF16 and Q8_0 to f32 against hand-computed values, directly and through a GGUF tensor.
import { describe, expect, it } from 'vitest';
import { decodeBF16, decodeF16, decodeQ8_0 } from '../../workers/loader/dtypes.ts';
import { parseGguf } from '../../workers/loader/gguf.ts';
import { readF32 } from '../../workers/model/tensor.ts';
import { tinyLlama, TINY } from './gguf-writer.ts';

const u16le = (a: number[]) => new Uint8Array(Uint16Array.from(a).buffer);

// half bits -> value: sign | 5-bit exponent (bias 15) | 10-bit mantissa
const HALF: [number, number][] = [
  [0x3c00, 1], [0xc000, -2], [0x3800, 0.5], [0x3555, 0.333251953125], [0x7bff, 65504], [0x0400, 2 ** -14],
  [0x0001, 2 ** -24], [0x03ff, 1023 * 2 ** -24], [0x0000, 0], [0x7c00, Infinity], [0xfc00, -Infinity],
];
// bfloat16 bits -> value: the top 16 bits of the f32
const BF: [number, number][] = [
  [0x3f80, 1], [0xc0a0, -5], [0x3e20, 0.15625], [0x4049, 3.140625], [0x7f80, Infinity], [0x0001, 2 ** -133], [0x0000, 0],
];

/** One Q8_0 block: f16 scale, then 32 int8. */
function q8Block(scaleBits: number, q: number[]): Uint8Array {
  const b = new Uint8Array(34);
  b[0] = scaleBits & 0xff; b[1] = scaleBits >> 8;
  q.forEach((v, i) => { b[2 + i] = v & 0xff; });
  return b;
}

describe('dtype conversion', () => {
  it('F16', () => {
    expect(Array.from(decodeF16(u16le(HALF.map((h) => h[0])), HALF.length))).toEqual(HALF.map((h) => h[1]));
    const [negZero, nan] = decodeF16(u16le([0x8000, 0x7e00]), 2);
    expect(Object.is(negZero, -0)).toBe(true);
    expect(nan).toBeNaN();
  });

  it('BF16', () => {
    expect(Array.from(decodeBF16(u16le(BF.map((h) => h[0])), BF.length))).toEqual(BF.map((h) => h[1]));
    expect(decodeBF16(u16le([0xffc1]), 1)[0]).toBeNaN();
  });

  it('Q8_0: x = d * q per 32-element block', () => {
    const q1 = Array.from({ length: 32 }, (_, i) => i - 16); // -16..15
    q1[0] = -128; q1[31] = 127;
    const q2 = Array.from({ length: 32 }, (_, i) => (i % 2 ? 3 : -3));
    const bytes = new Uint8Array([...q8Block(0x3800, q1), ...q8Block(0x2c00, q2)]); // d = 0.5, then 2^-4
    const want = [...q1.map((q) => q * 0.5), ...q2.map((q) => q / 16)];
    expect(Array.from(decodeQ8_0(bytes, 64))).toEqual(want);
  });
});

describe('dtype conversion through a GGUF file', () => {
  const { dim, nHeads, nKvHeads, headDim, hiddenDim } = TINY;

  it('loads F16, BF16 and Q8_0 tensors as f32 and reports their dtype and bytes', async () => {
    const nq = nHeads * headDim * dim, nk = nKvHeads * headDim * dim, ng = hiddenDim * dim;
    const halfs = Array.from({ length: nq }, (_, i) => HALF[i % HALF.length]).filter((h) => Number.isFinite(h[1]));
    const f16 = Array.from({ length: nq }, (_, i) => halfs[i % halfs.length]);
    const bf = Array.from({ length: nk }, (_, i) => BF[i % 4]); // finite ones
    const blocks = Array.from({ length: ng / 32 }, (_, b) => q8Block(0x3c00 + b, Array.from({ length: 32 }, (_, j) => j - b)));
    const m = await parseGguf(tinyLlama({
      replace: {
        'blk.0.attn_q.weight': { name: 'blk.0.attn_q.weight', dims: [dim, nHeads * headDim], type: 1, data: u16le(f16.map((h) => h[0])) },
        'blk.0.attn_k.weight': { name: 'blk.0.attn_k.weight', dims: [dim, nKvHeads * headDim], type: 30, data: u16le(bf.map((h) => h[0])) },
        'blk.1.ffn_gate.weight': { name: 'blk.1.ffn_gate.weight', dims: [dim, hiddenDim], type: 8, data: new Uint8Array(blocks.flatMap((b) => [...b])) },
      },
    }).bytes);
    expect(Array.from(await readF32(m.weights.layers[0].wq))).toEqual(f16.map((h) => h[1]));
    expect(Array.from(await readF32(m.weights.layers[0].wk))).toEqual(bf.map((h) => h[1]));
    expect([m.weights.layers[1].w1.dtype, m.weights.layers[0].wq.dtype]).toEqual(['Q8_0', 'F16']); // stored as they are
    // block b has scale f16(0x3c00 + b) = 1 + b/1024 and q_j = j - b
    const gate = await readF32(m.weights.layers[1].w1);
    for (let b = 0; b < ng / 32; b++) for (let j = 0; j < 32; j++) expect(gate[b * 32 + j]).toBe(Math.fround(1 + b / 1024) * (j - b));
    const info = (n: string) => m.tensors.find((t) => t.name === n);
    expect(info('blk.0.attn_q.weight')).toMatchObject({ dtype: 'F16', bytes: nq * 2 });
    expect(info('blk.0.attn_k.weight')).toMatchObject({ dtype: 'BF16', bytes: nk * 2 });
    expect(info('blk.1.ffn_gate.weight')).toMatchObject({ dtype: 'Q8_0', bytes: (ng / 32) * 34 });
  });

  it('rejects Q8_0 rows that are not whole blocks', async () => {
    const n = dim * hiddenDim; // ffn_down rows have hiddenDim = 48 columns: one and a half blocks
    const bad = { name: 'blk.0.ffn_down.weight', dims: [hiddenDim, dim], type: 8, data: new Uint8Array(Math.ceil(n / 32) * 34) };
    await expect(parseGguf(tinyLlama({ replace: { 'blk.0.ffn_down.weight': bad } }).bytes))
      .rejects.toThrow('corrupt model: Q8_0 tensor blk.0.ffn_down.weight has rows of 48, not whole blocks of 32');
  });
});
