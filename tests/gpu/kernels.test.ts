// Parity of the non-matmul kernels against their CPU twins (workers/reference/ops.ts) on seeded random inputs
// of awkward sizes: odd dims, dims not divisible by the workgroup size, one row and many rows.
import { describe, expect, test } from 'vitest';
import { gpu, randomArray } from './harness.ts';
import { GpuKernels } from '../../workers/gpu/kernels.ts';
import { readBuffer, storageBuffer, uniformBuffer, type GpuContext } from '../../workers/gpu/context.ts';
import { stepWords } from '../../workers/kernels/registry.ts';
import { attention, rmsnorm, rope, swiglu } from '../../workers/reference/ops.ts';
import { ropeTable } from '../../workers/model/rope.ts';
import { uploadPacked } from '../../workers/gpu/weights.ts';
import { packMatrix } from '../../workers/quant/pack.ts';
import { wholeModel } from '../../workers/pipeline/split.ts';
import type { WeightTensor } from '../../workers/model/tensor.ts';
import { roundBf16Array } from '../../workers/quant/bf16.ts';
import type { LlamaConfig, RopeStyle } from '../../workers/model/config.ts';
import type { LlamaWeights } from '../../workers/model/weights.ts';

function config(o: Partial<LlamaConfig>): LlamaConfig {
  return {
    architecture: 'llama', dim: 70, hiddenDim: 129, nLayers: 1, nHeads: 6, nKvHeads: 2, headDim: 10, vocabSize: 37,
    contextLength: 64, normEps: 1e-5, ropeTheta: 10000, ropeScaling: null, ropeStyle: 'interleaved', tiedEmbeddings: true, ...o,
  };
}

/** Norm gains only: the kernels here take no weight matrix (those are the linears' and the embedding's). */
function noWeights(c: LlamaConfig): LlamaWeights {
  const z = (n: number) => new Float32Array(n);
  const none = null as unknown as WeightTensor;
  return { tokenEmbedding: none, finalNorm: z(c.dim), output: none, layers: [{ attnNorm: z(c.dim), ffnNorm: z(c.dim), wq: none, wk: none, wv: none, wo: none, w1: none, w2: none, w3: none }] };
}

interface Rig { ctx: GpuContext; k: GpuKernels; step: GPUBuffer; table: GPUBuffer; buf: (label: string, data: Float32Array | Uint32Array | number) => GPUBuffer }

async function rig(c: LlamaConfig, maxSeq: number, barrierFree?: boolean): Promise<Rig | null> {
  const ctx = await gpu();
  if (!ctx) return null;
  const d = ctx.device;
  const buf = (label: string, data: Float32Array | Uint32Array | number) =>
    typeof data === 'number' ? storageBuffer(d, label, data * 4) : storageBuffer(d, label, data.byteLength, data);
  const step = uniformBuffer(d, 'step', stepWords(1, 0));
  const table = buf('rope', ropeTable(c, maxSeq));
  const k = await GpuKernels.create(ctx, c, noWeights(c), maxSeq, step, table, (label, bytes, data) => data ? storageBuffer(d, label, bytes, data) : storageBuffer(d, label, bytes),
    wholeModel(c), barrierFree);
  return { ctx, k, step, table, buf };
}

async function run(r: Rig, m: number, pos0: number, dispatches: { encode(p: GPUComputePassEncoder, m: number): void }[], firstRow = 0): Promise<void> {
  const d = r.ctx.device;
  d.queue.writeBuffer(r.step, 0, stepWords(m, pos0, firstRow));
  const enc = d.createCommandEncoder();
  const pass = enc.beginComputePass();
  for (const x of dispatches) x.encode(pass, m);
  pass.end();
  d.queue.submit([enc.finish()]);
}

const read = async (r: Rig, b: GPUBuffer, n: number) => new Float32Array(await readBuffer(r.ctx.device, b, n * 4));

function expectClose(got: Float32Array, want: Float32Array, tol: number) {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
  expect(worst).toBeLessThanOrEqual(tol);
}

// Both variants run everywhere: workgroup reductions (GPUs) and barrier-free (CPU adapters).
const VARIANTS = [false, true] as const;
const variantName = (barrierFree: boolean) => (barrierFree ? 'barrier-free' : 'workgroup');

describe('rmsnorm', () => {
  for (const [dim, rows, barrierFree] of [[70, 1, false], [67, 5, true], [256, 33, false], [256, 33, true], [3, 2, false]] as const) {
    test(`dim ${dim}, ${rows} rows, ${variantName(barrierFree)}`, async () => {
      const c = config({ dim });
      const r = await rig(c, 8, barrierFree);
      if (!r) return;
      const x = randomArray(rows * dim, 1 + dim, 3), w = randomArray(dim, 2 + dim);
      const xb = r.buf('x', x), wb = r.buf('w', w), out = r.buf('out', rows * dim);
      await run(r, rows, 0, [r.k.rmsnorm(r.step, xb, wb, out)]);
      const want = new Float32Array(rows * dim);
      rmsnorm(want, x, w, rows, dim, c.normEps);
      expectClose(await read(r, out, rows * dim), want, 1e-5);
    });
  }
  test('the final norm reads only the last row', async () => {
    const c = config({ dim: 33 });
    const r = await rig(c, 8);
    if (!r) return;
    const x = randomArray(4 * 33, 7), w = randomArray(33, 8);
    const out = r.buf('out', 33);
    await run(r, 1, 0, [r.k.rmsnorm(r.step, r.buf('x', x), r.buf('w', w), out)], 3);
    const want = new Float32Array(33);
    rmsnorm(want, x.subarray(99), w, 1, 33, c.normEps);
    expectClose(await read(r, out, 33), want, 1e-5);
  });
});

describe('rope and the KV-cache store', () => {
  for (const style of ['interleaved', 'halves'] as RopeStyle[]) {
    for (const [rows, pos0] of [[1, 0], [1, 17], [7, 3]] as const) {
      test(`${style}, ${rows} rows at position ${pos0}`, async () => {
        const c = config({ ropeStyle: style, ropeTheta: 500000, ropeScaling: { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 16 } });
        const maxSeq = 32;
        const r = await rig(c, maxSeq);
        if (!r) return;
        const kvd = c.nKvHeads * c.headDim, qd = c.nHeads * c.headDim;
        const q = randomArray(rows * qd, 11), k = randomArray(rows * kvd, 12), v = randomArray(rows * kvd, 13);
        const qb = r.buf('q', q), kb = r.buf('k', k), vb = r.buf('v', v);
        const kc = r.buf('kc', maxSeq * kvd), vc = r.buf('vc', maxSeq * kvd);
        await run(r, rows, pos0, [r.k.ropeQ(qb), r.k.ropeStoreKv(kb, vb, kc, vc)]);
        const table = ropeTable(c, maxSeq);
        const qw = q.slice(), kw = k.slice();
        rope(qw, rows, c.nHeads, c.headDim, pos0, table, style);
        rope(kw, rows, c.nKvHeads, c.headDim, pos0, table, style);
        expectClose(await read(r, qb, rows * qd), qw, 1e-6);
        const kcache = await read(r, kc, maxSeq * kvd), vcache = await read(r, vc, maxSeq * kvd);
        expectClose(kcache.subarray(pos0 * kvd, (pos0 + rows) * kvd), kw, 1e-6);
        expectClose(vcache.subarray(pos0 * kvd, (pos0 + rows) * kvd), v, 0);
        expect(kcache.subarray(0, pos0 * kvd).every((x) => x === 0)).toBe(true);
      });
    }
  }
});

describe('attention (causal, grouped-query)', () => {
  for (const barrierFree of VARIANTS) for (const [nHeads, nKvHeads, headDim, rows, pos0] of [[6, 2, 10, 1, 0], [6, 2, 10, 1, 40], [4, 4, 8, 9, 5], [8, 1, 66, 3, 100], [9, 3, 8, 2, 126]] as const) {
    test(`${nHeads} heads / ${nKvHeads} kv, headDim ${headDim}, ${rows} rows at ${pos0}, ${variantName(barrierFree)}`, async () => {
      const c = config({ nHeads, nKvHeads, headDim, dim: nHeads * headDim });
      const maxSeq = 128;
      const r = await rig(c, maxSeq, barrierFree);
      if (!r) return;
      const kvd = nKvHeads * headDim, qd = nHeads * headDim;
      const q = randomArray(rows * qd, 21, 2), kc = randomArray(maxSeq * kvd, 22, 2), vc = randomArray(maxSeq * kvd, 23);
      const out = r.buf('out', rows * qd);
      await run(r, rows, pos0, [r.k.attention(r.buf('q', q), r.buf('kc', kc), r.buf('vc', vc), out)]);
      const want = new Float32Array(rows * qd);
      attention(want, q, kc, vc, rows, pos0, { nHeads, nKvHeads, headDim, maxSeq }, new Float32Array(maxSeq));
      expectClose(await read(r, out, rows * qd), want, 2e-5);
    });
  }
});

describe('swiglu and embed', () => {
  test('swiglu over 3 rows of an odd hidden dim', async () => {
    const c = config({ hiddenDim: 129 });
    const r = await rig(c, 8);
    if (!r) return;
    const h1 = randomArray(3 * 129, 31, 6), h3 = randomArray(3 * 129, 32);
    const b1 = r.buf('h1', h1);
    await run(r, 3, 0, [r.k.swiglu(b1, r.buf('h3', h3))]);
    const want = h1.slice();
    swiglu(want, h3, 3 * 129);
    expectClose(await read(r, b1, 3 * 129), want, 1e-6);
  });
  for (const [bf16, limit] of [[false, undefined], [true, undefined], [false, 8 * 36 * 4], [true, 5 * 20 * 4]] as const) {
    test(`embed gathers ${bf16 ? 'bf16' : 'f32'} rows (odd dim${limit ? `, table split into ${limit}-byte chunks` : ''})`, async () => {
      const c = config({ dim: 33, vocabSize: 37 });
      const r = await rig(c, 8);
      if (!r) return;
      const E = randomArray(37 * 33, 41);
      const spec = { dtype: bf16 ? 'bf16' : 'f32', scale: 'row', act: null, actBound: null, bf16Rounding: 'nearest' } as const;
      const tokens = [0, 36, 5, 5, 17, 8, 7];
      const x = r.buf('x', tokens.length * 33);
      const table = uploadPacked({ ...r.ctx, bindingLimit: limit ?? r.ctx.bindingLimit }, 'E', packMatrix(E, 37, 33, spec), spec);
      expect(table.chunks.length).toBe(limit ? Math.ceil(37 / (limit / (table.kPacked * 4))) : 1);
      await run(r, tokens.length, 0, [r.k.embed(r.buf('tokens', new Uint32Array(tokens)), table, x)]);
      const values = bf16 ? roundBf16Array(E) : E;
      const want = new Float32Array(tokens.flatMap((t) => Array.from(values.subarray(t * 33, (t + 1) * 33))));
      expectClose(await read(r, x, tokens.length * 33), want, 0);
    });
  }
});

describe('argmax (greedy decoding reads back one id)', () => {
  const cases: [string, number[]][] = [
    ['odd vocab, max in the middle', Array.from({ length: 517 }, (_, i) => Math.sin(i * 0.37) + (i === 300 ? 5 : 0))],
    ['ties go to the lowest index', [1, 7, 3, 7, 7, -2]],
    ['NaN never wins', [NaN, -1e30, 2, NaN, 1]],
    ['all equal', [0.5, 0.5, 0.5]],
    ['a single logit', [-3]],
    ['negative only, over 2 workgroup widths', Array.from({ length: 600 }, (_, i) => -1 - ((i * 7919) % 600) / 100)],
  ];
  for (const barrierFree of VARIANTS) for (const [name, values] of cases) {
    test(`${name}, ${variantName(barrierFree)}`, async () => {
      const c = config({ vocabSize: values.length });
      const r = await rig(c, 8, barrierFree);
      if (!r) return;
      const token = r.buf('token', 1);
      await run(r, 1, 0, [r.k.argmax(r.buf('logits', Float32Array.from(values)), token)]);
      const got = new Uint32Array(await readBuffer(r.ctx.device, token, 4))[0];
      let want = 0;
      for (let i = 1; i < values.length; i++) if (values[i] > values[want] || Number.isNaN(values[want])) want = i;
      expect(got).toBe(want);
    });
  }
});
