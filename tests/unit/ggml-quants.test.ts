// ggml block dequantization (Q8_0, Q4_0, Q5_0, Q4_K, Q5_K, Q6_K) against llama.cpp, bit for bit: the committed
// fixture holds seeded blocks and what llama.cpp gguf-py `gguf.quants.dequantize` made of them
// (scripts/fixtures/ggml-quants-fixture.py). Then hand-packed blocks with values worked out from the layout.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GGML_BLOCK, toF32 } from '../../workers/loader/dtypes.ts';
import { dequantize, QUANT_DTYPES, type QuantDtype } from '../../workers/loader/ggml-quants.ts';
import { parseGguf } from '../../workers/loader/gguf.ts';
import { readGguf } from '../../workers/loader/gguf-reader.ts';
import { readF32 } from '../../workers/model/tensor.ts';
import { tinyLlama, TINY, writeGguf } from './gguf-writer.ts';

interface FixtureType { blockElements: number; blockBytes: number; blocks: number; edgeBlocks: Record<string, string>; bytes: string; f32: string }
const FIXTURE_URL = new URL('./fixtures/ggml-quants.json', import.meta.url);
const fixture = JSON.parse(readFileSync(FIXTURE_URL, 'utf8')) as { types: Record<QuantDtype, FixtureType> };
const b64 = (s: string) => Uint8Array.from(Buffer.from(s, 'base64')); // a copy: its own aligned buffer
const GGML_ID: Record<QuantDtype, number> = { Q8_0: 8, Q4_0: 2, Q5_0: 6, Q4_K: 12, Q5_K: 13, Q6_K: 14 };

/** The fixture's blocks and llama.cpp's f32 outputs for one type. */
function reference(t: QuantDtype) {
  const f = fixture.types[t];
  return { ...f, src: b64(f.bytes), want: new Float32Array(b64(f.f32).buffer), n: f.blocks * f.blockElements };
}

/** Indices where two f32 arrays differ in bits (so -0 vs 0 and NaN payloads count). */
function bitDiff(a: Float32Array, b: Float32Array): number[] {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length), y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  const bad: number[] = [];
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) bad.push(i);
  return bad;
}

const run = (t: QuantDtype, src: Uint8Array, n: number) => { const out = new Float32Array(n); dequantize(t, src, n, out); return out; };
const f16 = (x: number) => new Uint8Array(new Uint16Array([x]).buffer); // raw half bits, little-endian

describe('ggml dequantization equals llama.cpp bit for bit', () => {
  it.each(QUANT_DTYPES)('%s on the fixture blocks', (t) => {
    const { src, want, n, blocks, blockElements, blockBytes, edgeBlocks } = reference(t);
    expect([blockElements, blockBytes]).toEqual(GGML_BLOCK[t]);
    expect(blocks).toBeGreaterThan(Object.keys(edgeBlocks).length); // random blocks plus the edge ones
    const bad = bitDiff(run(t, src, n), want);
    expect(bad.length, `${t}: first differing element ${bad[0]} (block ${Math.floor(bad[0] / blockElements)})`).toBe(0);
    console.info(`${t}: ${n} elements in ${blocks} blocks bit-exact with llama.cpp`);
  });

  it.each(QUANT_DTYPES)('%s block by block and as row ranges through toF32', (t) => {
    const { src, want, blocks, blockElements: e, blockBytes: b } = reference(t);
    for (let i = 0; i < blocks; i++) expect(bitDiff(run(t, src.subarray(i * b, (i + 1) * b), e), want.subarray(i * e, (i + 1) * e))).toEqual([]);
    const [r0, r1] = [1, blocks - 2]; // a row range that starts and ends inside the data
    expect(bitDiff(toF32(t, src.subarray(r0 * b, r1 * b), (r1 - r0) * e), want.subarray(r0 * e, r1 * e))).toEqual([]);
  });
});

describe('length checks', () => {
  it('rejects a length that is not whole blocks, short input and a short output, in one line', () => {
    const src = new Uint8Array(2 * 144);
    expect(() => run('Q4_K', src, 300)).toThrow(/^Q4_K: 300 elements is not a whole number of 256-element blocks$/);
    expect(() => toF32('Q5_0', new Uint8Array(44), 48)).toThrow(/^Q5_0: 48 elements is not a whole number of 32-element blocks$/);
    expect(() => run('Q6_K', new Uint8Array(210), 512)).toThrow(/^Q6_K: 2 blocks need 420 bytes, got 210$/);
    expect(() => dequantize('Q8_0', new Uint8Array(34), 32, new Float32Array(16))).toThrow(/^Q8_0: output holds 16 values, 32 needed$/);
  });
});

/** One block of `t`: raw bytes from `fill`, then the f16 scale fields. */
function block(t: QuantDtype, fill: (b: Uint8Array) => void, scales: [number, number][]): Uint8Array {
  const b = new Uint8Array(GGML_BLOCK[t][1]);
  fill(b);
  for (const [at, half] of scales) b.set(f16(half), at);
  return b;
}

/** Q4_K / Q5_K scale bytes from 8 six-bit scales and mins (the inverse of ggml get_scale_min_k4). */
function packScaleMinK4(sc: number[], mn: number[]): number[] {
  const out = new Array<number>(12);
  for (let j = 0; j < 4; j++) {
    out[j] = sc[j] | ((sc[j + 4] >> 4) << 6); // low 6 bits: sub-block j; top 2: the high bits of sub-block j+4
    out[j + 4] = mn[j] | ((mn[j + 4] >> 4) << 6);
    out[j + 8] = (sc[j + 4] & 15) | ((mn[j + 4] & 15) << 4);
  }
  return out;
}

describe('hand-packed blocks: values from the layout', () => {
  const u = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i)); // the stored codes
  const SC = [1, 2, 3, 4, 40, 50, 60, 63], MN = [0, 5, 10, 15, 20, 33, 47, 63]; // 6-bit codes, high bits set in 4..7

  it('Q8_0: x = d * int8 q', () => {
    const q = u(32, (i) => i * 8 - 128);
    const b = block('Q8_0', (b) => q.forEach((v, i) => { b[2 + i] = v & 255; }), [[0, 0x3800]]); // d = 0.5
    expect(Array.from(run('Q8_0', b, 32))).toEqual(q.map((v) => v * 0.5));
  });

  it('Q4_0: low nibbles are x[0..16), high nibbles x[16..32); x = d * (q - 8)', () => {
    const q = u(32, (i) => (i * 5) % 16);
    const b = block('Q4_0', (b) => { for (let j = 0; j < 16; j++) b[2 + j] = q[j] | (q[j + 16] << 4); }, [[0, 0x3800]]);
    expect(Array.from(run('Q4_0', b, 32))).toEqual(q.map((v) => (v - 8) * 0.5));
  });

  it('Q5_0: 5th bit of x[i] is bit i of the u32 qh; x = d * (q - 16)', () => {
    const q = u(32, (i) => (i * 7 + 3) % 32);
    const b = block('Q5_0', (b) => {
      const qh = q.reduce((h, v, i) => h | ((v >> 4) << i), 0);
      new DataView(b.buffer).setUint32(2, qh >>> 0, true);
      for (let j = 0; j < 16; j++) b[6 + j] = (q[j] & 15) | ((q[j + 16] & 15) << 4);
    }, [[0, 0xb400]]); // d = -0.25
    expect(Array.from(run('Q5_0', b, 32))).toEqual(q.map((v) => (v - 16) * -0.25));
  });

  it('Q4_K: 64-element chunk c = low nibbles (sub-block 2c) then high nibbles (2c+1) of qs[32c..32c+32)', () => {
    const q = u(256, (i) => (i * 7) % 16);
    const b = block('Q4_K', (b) => {
      b.set(packScaleMinK4(SC, MN), 4);
      q.forEach((v, i) => { const p = i & 63; b[16 + 32 * (i >> 6) + (p & 31)] |= p < 32 ? v : v << 4; });
    }, [[0, 0x3c00], [2, 0x3800]]); // d = 1, dmin = 0.5
    expect(Array.from(run('Q4_K', b, 256))).toEqual(q.map((v, i) => SC[i >> 5] * v - 0.5 * MN[i >> 5]));
  });

  it('Q5_K: as Q4_K, plus bit k of qh[l] = 5th bit of element l of sub-block k', () => {
    const q = u(256, (i) => (i * 11) % 32);
    const b = block('Q5_K', (b) => {
      b.set(packScaleMinK4(SC, MN), 4);
      q.forEach((v, i) => {
        const p = i & 63;
        b[48 + 32 * (i >> 6) + (p & 31)] |= p < 32 ? v & 15 : (v & 15) << 4;
        b[16 + (i & 31)] |= (v >> 4) << (i >> 5);
      });
    }, [[0, 0x3c00], [2, 0x3800]]);
    expect(Array.from(run('Q5_K', b, 256))).toEqual(q.map((v, i) => SC[i >> 5] * v - 0.5 * MN[i >> 5]));
  });

  it('Q6_K: per half of 128, groups of 32 take ql low/low/high/high nibbles and qh bit pairs 0/2/4/6; scale i>>4', () => {
    const SC6 = [-128, 127, -1, 1, 2, -2, 3, -3, 10, -10, 20, -20, 30, -30, 64, -64];
    const q = u(256, (i) => (i * 13) % 64);
    const b = block('Q6_K', (b) => {
      q.forEach((v, i) => {
        const h = i >> 7, g = (i & 127) >> 5, l = i & 31;
        b[64 * h + 32 * (g & 1) + l] |= g < 2 ? v & 15 : (v & 15) << 4;
        b[128 + 32 * h + l] |= (v >> 4) << (2 * g);
      });
      SC6.forEach((s, k) => { b[192 + k] = s & 255; });
    }, [[208, 0x3400]]); // d = 0.25, at the end of the block
    expect(Array.from(run('Q6_K', b, 256))).toEqual(q.map((v, i) => 0.25 * SC6[i >> 4] * (v - 32)));
  });

  it('K-quant element order: one changed byte moves exactly the elements the layout says', () => {
    const moved = (t: QuantDtype, base: Uint8Array, change: (b: Uint8Array) => void) => {
      const b = base.slice(); change(b);
      return bitDiff(run(t, base, 256), run(t, b, 256));
    };
    const k4 = block('Q4_K', (b) => b.set(packScaleMinK4(SC, MN), 4), [[0, 0x3c00]]);
    expect(moved('Q4_K', k4, (b) => { b[16] = 0x50; })).toEqual([32]); // high nibble of qs[0]: sub-block 1
    expect(moved('Q4_K', k4, (b) => { b[16 + 32 + 3] = 0x05; })).toEqual([67]); // low nibble of qs[35]: sub-block 2
    const k5 = block('Q5_K', (b) => b.set(packScaleMinK4(SC, MN), 4), [[0, 0x3c00]]);
    expect(moved('Q5_K', k5, (b) => { b[16] = 0x02; })).toEqual([32]); // qh[0] bit 1
    expect(moved('Q5_K', k5, (b) => { b[16 + 5] = 0x80; })).toEqual([229]); // qh[5] bit 7: sub-block 7, element 5
    const k6 = block('Q6_K', (b) => b.fill(1, 192, 208), [[208, 0x3c00]]);
    expect(moved('Q6_K', k6, (b) => { b[0] = 0x10; })).toEqual([64]); // ql[0] high nibble
    expect(moved('Q6_K', k6, (b) => { b[32] = 0x01; })).toEqual([32]); // ql[32] low nibble
    expect(moved('Q6_K', k6, (b) => { b[64] = 0x11; })).toEqual([128, 192]); // ql[64]: second half
    expect(moved('Q6_K', k6, (b) => { b[128] = 0xc0; })).toEqual([96]); // qh[0] bits 6-7
  });
});

describe('quantized tensors in a GGUF file', () => {
  const { dim, nHeads, headDim, hiddenDim } = TINY;

  it('loads Q4_0 and Q5_0 weights (rows of whole 32-blocks) as llama.cpp does', async () => {
    const nq = nHeads * headDim * dim, ng = hiddenDim * dim;
    const q4 = reference('Q4_0'), q5 = reference('Q5_0');
    // tile the fixture blocks to fill the matrices
    const tile = (r: ReturnType<typeof reference>, n: number) => {
      const blocks = n / 32, src = new Uint8Array(blocks * r.blockBytes), want = new Float32Array(n);
      for (let i = 0; i < blocks; i++) {
        const k = i % r.blocks;
        src.set(r.src.subarray(k * r.blockBytes, (k + 1) * r.blockBytes), i * r.blockBytes);
        want.set(r.want.subarray(k * 32, (k + 1) * 32), i * 32);
      }
      return { src, want };
    };
    const a = tile(q4, nq), g = tile(q5, ng);
    const m = await parseGguf(tinyLlama({
      replace: {
        'blk.0.attn_q.weight': { name: 'blk.0.attn_q.weight', dims: [dim, nHeads * headDim], type: GGML_ID.Q4_0, data: a.src },
        'blk.1.ffn_gate.weight': { name: 'blk.1.ffn_gate.weight', dims: [dim, hiddenDim], type: GGML_ID.Q5_0, data: g.src },
      },
    }).bytes);
    expect(bitDiff(await readF32(m.weights.layers[0].wq), a.want)).toEqual([]);
    expect(bitDiff(await readF32(m.weights.layers[1].w1), g.want)).toEqual([]);
    expect(m.tensors.find((t) => t.name === 'blk.1.ffn_gate.weight')).toMatchObject({ dtype: 'Q5_0', bytes: (ng / 32) * 22 });
  });

  it('reads K-quant tensors of 256-column rows and converts them through toF32', () => {
    const tensors = (['Q4_K', 'Q5_K', 'Q6_K'] as const).map((t) => {
      const r = reference(t), rows = 3;
      return { t, want: r.want.subarray(0, rows * 256), w: { name: `w.${t}`, dims: [256, rows], type: GGML_ID[t], data: r.src.slice(0, rows * r.blockBytes) } };
    });
    const { bytes } = writeGguf({ kv: [], tensors: tensors.map((x) => x.w) });
    const file = readGguf(bytes);
    for (const { t, want } of tensors) {
      const info = file.tensors.find((x) => x.name === `w.${t}`)!;
      expect(info).toMatchObject({ dtype: t, elements: 768, bytes: 3 * GGML_BLOCK[t][1] });
      expect(bitDiff(toF32(info.dtype, bytes.subarray(info.offset, info.offset + info.bytes!), info.elements), want)).toEqual([]);
    }
  });

  it('rejects K-quant rows that are not whole 256-blocks', async () => {
    const bad = { name: 'blk.0.attn_q.weight', dims: [dim, nHeads * headDim], type: GGML_ID.Q4_K, data: new Uint8Array(4 * 144) };
    await expect(parseGguf(tinyLlama({ replace: { 'blk.0.attn_q.weight': bad } }).bytes))
      .rejects.toThrow('corrupt model: Q4_K tensor blk.0.attn_q.weight has rows of 32, not whole blocks of 256');
  });
});

// Optional: regenerate the fixture with llama.cpp's gguf-py (env GGUF_PY = its gguf-py folder) and compare.
describe('fixture regeneration from llama.cpp gguf-py', () => {
  const ggufPy = process.env.GGUF_PY, python = process.env.PYTHON ?? 'python3';
  let why = ggufPy ? '' : 'GGUF_PY is unset';
  if (!why) {
    try { execFileSync(python, ['-c', 'import numpy'], { stdio: 'pipe' }); } catch { why = `${python} with numpy is not available`; }
  }
  if (why) console.info(`ggml-quants: skipping the fixture regeneration check (${why}); the committed fixture is the check`);
  it.skipIf(!!why)('the script reproduces the committed blocks and outputs', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'ggml-quants-')), 'ggml-quants.json');
    const script = fileURLToPath(new URL('../../scripts/fixtures/ggml-quants-fixture.py', import.meta.url));
    execFileSync(python, [script, '--gguf-py', ggufPy!, '--out', out], { stdio: 'pipe' });
    const fresh = JSON.parse(readFileSync(out, 'utf8')) as typeof fixture;
    for (const t of QUANT_DTYPES) {
      expect(fresh.types[t].bytes, t).toBe(fixture.types[t].bytes);
      expect(fresh.types[t].f32, t).toBe(fixture.types[t].f32);
    }
  });
});
