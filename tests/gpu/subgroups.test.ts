// The subgroup builds of the cross-thread reductions (workers/kernels/reduce_subgroup.wgsl for rmsnorm and attention,
// matmul_gemv_subgroup.wgsl for the GEMV) against the CPU twins, next to the shared-memory builds they replace.
// SwiftShader offers `subgroups` (subgroup size 4, and WGSL's subgroup_id), so both builds run here; the engine
// picks the subgroup one only on GPUs (ctx.reduction), and these tests ask for it explicitly.
// What is asserted, and why not bit equality between the builds: a subgroup build adds the same terms in another
// order (a GEMV row's lanes stride its words by the subgroup size and meet in subgroupAdd, whose order the
// implementation picks; rmsnorm and attention fold per-subgroup sums instead of a tree). So each result is held to
// the bound any f32 summation order meets against the CPU twin: (k + 4) * 2^-24 * Σ|terms| for a GEMV output (as
// linear.test.ts), kernels.test.ts's relative tolerances for rmsnorm and attention (maxima are exact in any order,
// so subgroupMax changes nothing). What must be bitwise: two runs of one build (the fold runs in subgroup_id order,
// no atomics), and the greedy tokens of a whole model, which must equal the CPU engine's under either build.
import { describe, expect, test } from 'vitest';
import { gpu, randomArray } from './harness.ts';
import { createGpuContext, describeFeatures, pickReduction, readBuffer, storageBuffer, uniformBuffer, type GpuContext } from '../../workers/gpu/context.ts';
import { createGpuLinear, gemvSubgroupRows } from '../../workers/gpu/linear.ts';
import { createGpuForward } from '../../workers/gpu/forward.ts';
import { GpuKernels } from '../../workers/gpu/kernels.ts';
import { timeKernel } from '../../workers/gpu/linear-bench.ts';
import { stepWords, type Reduction } from '../../workers/kernels/registry.ts';
import { createCpuLinear } from '../../workers/reference/linear.ts';
import { CpuForward } from '../../workers/reference/forward.ts';
import { attention, rmsnorm } from '../../workers/reference/ops.ts';
import { ropeTable } from '../../workers/model/rope.ts';
import { argmax } from '../../workers/model/sampler.ts';
import { renderChat } from '../../workers/model/chat.ts';
import { loadModel } from '../../workers/loader/index.ts';
import { openModelFiles } from '../../workers/loader/open.ts';
import { DEFAULT_MODEL } from '../../workers/engine.ts';
import { presetMap } from '../../workers/quant/precision.ts';
import { wholeModel } from '../../workers/pipeline/split.ts';
import type { LlamaConfig } from '../../workers/model/config.ts';
import type { LlamaWeights } from '../../workers/model/weights.ts';
import type { WeightTensor } from '../../workers/model/tensor.ts';
import { LINEAR_SPECS } from '../linear-specs.ts';

const REDUCTIONS: Reduction[] = ['shared', 'subgroup'];
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** The device with the kernel choices of a GPU (workgroup reductions, GEMV lanes) and the given reduction. */
async function gpuWith(reduction: Reduction): Promise<GpuContext | null> {
  const ctx = await gpu();
  if (!ctx) return null;
  if (reduction === 'subgroup' && !ctx.features.subgroups) {
    console.warn(`subgroup tests skipped: ${ctx.adapterName} has no subgroups (${describeFeatures(ctx.features, ctx.reduction)})`);
    return null;
  }
  return { ...ctx, cpuAdapter: false, reduction };
}

test('the adapter\'s optional features are requested and recorded; the reduction follows them', async () => {
  const ctx = await gpu();
  if (!ctx) return;
  console.log(`${ctx.adapterName}: ${describeFeatures(ctx.features, ctx.reduction)}`);
  expect(ctx.device.features.has('subgroups')).toBe(ctx.features.subgroups);
  expect(ctx.device.features.has('shader-f16')).toBe(ctx.features.shaderF16);
  if (/swiftshader/i.test(ctx.adapterName) && import.meta.env.VITE_CI === 'true') {
    // what Chromium 156's SwiftShader offers (docs/testing.md); if a new Chromium drops it, this says so
    expect(ctx.features.subgroups).toBe(true);
    expect(ctx.features.subgroupSizes).toEqual([4, 4]);
  }
  // a CPU adapter keeps the shared-memory builds (its default kernels reduce nothing across threads)
  expect(ctx.reduction).toBe('shared');
  const f = { timestampQuery: true, subgroups: true, subgroupSizes: [32, 32] as [number, number], shaderF16: false };
  expect(pickReduction(f, false)).toBe('subgroup');
  expect(pickReduction(f, true)).toBe('shared');
  expect(pickReduction({ ...f, subgroups: false, subgroupSizes: null }, false)).toBe('shared');
  expect(describeFeatures(f, 'subgroup')).toBe('subgroups 32, timestamp-query; reductions: subgroupAdd');
  expect(gemvSubgroupRows([4, 4])).toBe(32);
  expect(gemvSubgroupRows([32, 64])).toBe(2);
  expect(gemvSubgroupRows([128, 128])).toBe(1);
  if (ctx.features.subgroups) {
    const forced = await createGpuContext({ reduction: 'subgroup' });
    expect(forced.reduction).toBe('subgroup');
    forced.device.destroy();
  } else {
    await expect(createGpuContext({ reduction: 'subgroup' })).rejects.toThrow(/subgroup/);
  }
});

// [n, k]: one row; k under one vec4; k odd and n not a multiple of the rows per workgroup; many rows, long rows
const SHAPES: [number, number][] = [[1, 3], [1, 1030], [5, 67], [173, 129], [517, 1030]];

describe.each(LINEAR_SPECS)('GEMV, %s', (_name, s) => {
  test.each(SHAPES)('n = %i, k = %i: subgroupAdd and the shared tree, each within f32 summation error of the CPU twin', async (n, k) => {
    for (const reduction of REDUCTIONS) {
      const ctx = await gpuWith(reduction);
      if (!ctx) return;
      const d = ctx.device;
      const w = randomArray(n * k, n * 31 + k, 0.5), xv = randomArray(k, 1000 + k, 2);
      xv[Math.min(k - 1, 1)] = 5000; // an outlier, clipped by a 1200 activation bound
      const x = storageBuffer(d, 'sg.x', k * 4, xv), y = storageBuffer(d, 'sg.y', n * 4), rows = uniformBuffer(d, 'sg.rows', [1, 0, 0, 0]);
      const want = new Float32Array(n);
      createCpuLinear(w, n, k, s).apply(xv, 1, want);
      // 8 lanes: the tree runs in the shared build; the subgroup build takes its lanes from the subgroup instead
      const lin = await createGpuLinear(ctx, `sg.${s.dtype}`, w, n, k, s, { x, y, rows, maxRows: 1, lanes: 8 });
      expect(lin.gemvKernel.endsWith('.subgroup')).toBe(reduction === 'subgroup');
      const once = async () => {
        d.queue.writeBuffer(y, 0, new Float32Array(n).fill(NaN));
        const enc = d.createCommandEncoder();
        const pass = enc.beginComputePass();
        lin.encode(pass, 1);
        pass.end();
        d.queue.submit([enc.finish()]);
        return new Float32Array(await readBuffer(d, y, n * 4));
      };
      const got = await once();
      for (let i = 0; i < n; i++) {
        let sum = 0;
        for (let c = 0; c < k; c++) sum += Math.abs(xv[c] * w[i * k + c]);
        const bound = (k + 4) * 2 ** -24 * 1.6 * sum + 2 ** -23 * Math.abs(want[i]) + 1e-30;
        if (!(Math.abs(got[i] - want[i]) <= bound)) expect.fail(`${lin.gemvKernel} y[${i}] = ${got[i]}, CPU ${want[i]}, bound ${bound}`);
      }
      expect(bits(await once())).toEqual(bits(got));
      lin.destroy();
      for (const b of [x, y, rows]) b.destroy();
    }
  });
});

test('GEMV over weights split into row chunks: the subgroup build writes each chunk\'s columns', async () => {
  const ctx = await gpuWith('subgroup');
  if (!ctx) return;
  const d = ctx.device, n = 301, k = 77, s = LINEAR_SPECS[3][1];
  const w = randomArray(n * k, 5, 0.5), xv = randomArray(k, 6, 2);
  const x = storageBuffer(d, 'sg.x', k * 4, xv), y = storageBuffer(d, 'sg.y', n * 4), rows = uniformBuffer(d, 'sg.rows', [1, 0, 0, 0]);
  const lin = await createGpuLinear({ ...ctx, bindingLimit: 64 * 80 }, 'sg.chunked', w, n, k, s, { x, y, rows, maxRows: 1, lanes: 8 });
  const enc = d.createCommandEncoder();
  const pass = enc.beginComputePass();
  lin.encode(pass, 1);
  pass.end();
  d.queue.submit([enc.finish()]);
  const got = new Float32Array(await readBuffer(d, y, n * 4)), want = new Float32Array(n);
  createCpuLinear(w, n, k, s).apply(xv, 1, want);
  for (let i = 0; i < n; i++) expect(Math.abs(got[i] - want[i]), `y[${i}]`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[i])));
  lin.destroy();
});

function config(o: Partial<LlamaConfig>): LlamaConfig {
  return {
    architecture: 'llama', dim: 70, hiddenDim: 129, nLayers: 1, nHeads: 6, nKvHeads: 2, headDim: 10, vocabSize: 37,
    contextLength: 64, normEps: 1e-5, ropeTheta: 10000, ropeScaling: null, ropeStyle: 'interleaved', tiedEmbeddings: true, ...o,
  };
}

function noWeights(c: LlamaConfig): LlamaWeights {
  const z = (n: number) => new Float32Array(n), none = null as unknown as WeightTensor;
  return { tokenEmbedding: none, finalNorm: z(c.dim), output: none, layers: [{ attnNorm: z(c.dim), ffnNorm: z(c.dim), wq: none, wk: none, wv: none, wo: none, w1: none, w2: none, w3: none }] };
}

/** The kernels with workgroup reductions, a step uniform, and a way to run dispatches and read a buffer back. */
async function rig(c: LlamaConfig, maxSeq: number, reduction: Reduction, barrierFree = false) {
  const ctx = await gpuWith(reduction);
  if (!ctx) return null;
  const d = ctx.device;
  const buf = (label: string, data: Float32Array | number) => (typeof data === 'number' ? storageBuffer(d, label, data * 4) : storageBuffer(d, label, data.byteLength, data));
  const step = uniformBuffer(d, 'step', stepWords(1, 0));
  const k = await GpuKernels.create(ctx, c, noWeights(c), maxSeq, step, buf('rope', ropeTable(c, maxSeq)),
    (label, bytes, data) => (data ? storageBuffer(d, label, bytes, data) : storageBuffer(d, label, bytes)), wholeModel(c), barrierFree);
  const run = async (m: number, pos0: number, dispatch: { encode(p: GPUComputePassEncoder, m: number): void }, out: GPUBuffer, n: number) => {
    d.queue.writeBuffer(step, 0, stepWords(m, pos0));
    const enc = d.createCommandEncoder();
    const pass = enc.beginComputePass();
    dispatch.encode(pass, m);
    pass.end();
    d.queue.submit([enc.finish()]);
    return new Float32Array(await readBuffer(d, out, n * 4));
  };
  return { ctx, k, buf, step, run };
}

function expectClose(got: Float32Array, want: Float32Array, tol: number, what: string) {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
  expect(worst, what).toBeLessThanOrEqual(tol);
}

describe('rmsnorm with subgroupAdd', () => {
  // dims under, at and over the workgroup (64), odd; one row and many
  for (const [dim, rows] of [[3, 2], [70, 1], [67, 5], [256, 33], [1031, 3]] as const) {
    test(`dim ${dim}, ${rows} rows: both builds within 1e-5 of the CPU twin; repeatable bit for bit`, async () => {
      const c = config({ dim });
      const x = randomArray(rows * dim, 1 + dim, 3), w = randomArray(dim, 2 + dim), want = new Float32Array(rows * dim);
      rmsnorm(want, x, w, rows, dim, c.normEps);
      for (const reduction of REDUCTIONS) {
        const r = await rig(c, 8, reduction);
        if (!r) return;
        const out = r.buf('out', rows * dim), dispatch = r.k.rmsnorm(r.step, r.buf('x', x), r.buf('w', w), out);
        const got = await r.run(rows, 0, dispatch, out, rows * dim);
        expectClose(got, want, 1e-5, reduction);
        expect(bits(await r.run(rows, 0, dispatch, out, rows * dim))).toEqual(bits(got));
      }
    });
  }
});

describe('attention with subgroupMax and subgroupAdd', () => {
  // keys fewer than, equal to and more than the workgroup (64); heads grouped and not; headDim odd-sized
  for (const [nHeads, nKvHeads, headDim, rows, pos0] of [[6, 2, 10, 1, 0], [6, 2, 10, 1, 40], [4, 4, 8, 9, 5], [8, 1, 66, 3, 100], [9, 3, 7, 2, 125]] as const) {
    test(`${nHeads} heads / ${nKvHeads} kv, headDim ${headDim}, ${rows} rows at ${pos0}: both builds within 2e-5 of the CPU twin`, async () => {
      const c = config({ nHeads, nKvHeads, headDim, dim: nHeads * headDim });
      const maxSeq = 128, kvd = nKvHeads * headDim, qd = nHeads * headDim;
      const q = randomArray(rows * qd, 21, 2), kc = randomArray(maxSeq * kvd, 22, 2), vc = randomArray(maxSeq * kvd, 23);
      const want = new Float32Array(rows * qd);
      attention(want, q, kc, vc, rows, pos0, { nHeads, nKvHeads, headDim, maxSeq }, new Float32Array(maxSeq));
      for (const reduction of REDUCTIONS) {
        const r = await rig(c, maxSeq, reduction);
        if (!r) return;
        const out = r.buf('out', rows * qd), dispatch = r.k.attention(r.buf('q', q), r.buf('kc', kc), r.buf('vc', vc), out);
        const got = await r.run(rows, pos0, dispatch, out, rows * qd);
        expectClose(got, want, 2e-5, reduction);
        expect(bits(await r.run(rows, pos0, dispatch, out, rows * qd))).toEqual(bits(got));
      }
    });
  }
});

test('the default model on GPU kernel choices, subgroup and shared builds: the CPU engine\'s greedy tokens', async () => {
  if (!(await gpuWith('subgroup'))) return;
  const model = await loadModel(await openModelFiles({ kind: 'default' }, `${location.origin}/`, DEFAULT_MODEL));
  const prompt = model.tokenizer.encode(renderChat(model, [{ role: 'user', content: 'Tell me a story about a cat.' }]), { bos: false, specials: true });
  for (const preset of ['bf16', 'fp8-llama3'] as const) {
    const map = presetMap(model.config.nLayers, preset);
    const cpu = await CpuForward.create(model.config, model.weights, map, 128);
    const want: number[] = [];
    let c = cpu.forwardSync(prompt, 0);
    for (let i = 0; i < 12; i++) { want.push(argmax(c)); c = cpu.forwardSync([want[i]], prompt.length + i); }
    cpu.dispose();
    for (const reduction of REDUCTIONS) {
      // a device of its own: dispose() destroys it
      const f = await createGpuForward(model.config, model.weights, map, 128, undefined, { ...await createGpuContext({ reduction }), cpuAdapter: false });
      const got = [argmax(await f.forward(prompt, 0))];
      for (let i = 1; i < 12; i++) got.push(argmax(await f.forward([got[i - 1]], prompt.length + i - 1)));
      expect(got, `${preset}, ${reduction}`).toEqual(want);
      f.dispose();
    }
  }
});

test('time on this device: GEMV, rmsnorm and attention, subgroup against shared builds and the barrier-free defaults (printed)', async () => {
  const n = 512, k = 512, s = LINEAR_SPECS[3][1]; // FP8 E4M3 row scales
  const w = randomArray(n * k, 1, 0.5), xv = randomArray(k, 2);
  const c = config({ dim: 1024, nHeads: 8, nKvHeads: 2, headDim: 64 });
  const kernels: [string, GpuContext, (pass: GPUComputePassEncoder) => void][] = [];
  // CPU-adapter defaults (one GEMV lane per row, rmsnorm a thread per row, online attention), then both builds
  for (const [build, reduction, barrierFree] of [['barrier-free', 'shared', true], ['shared', 'shared', false], ['subgroup', 'subgroup', false]] as const) {
    const ctx = await gpuWith(reduction);
    if (!ctx) return;
    const d = ctx.device;
    const x = storageBuffer(d, 't.x', k * 4, xv), y = storageBuffer(d, 't.y', n * 4), rows = uniformBuffer(d, 't.rows', [1, 0, 0, 0]);
    const lin = await createGpuLinear(ctx, 't.fp8', w, n, k, s, { x, y, rows, maxRows: 1, lanes: barrierFree ? 1 : 8 });
    const r = (await rig(c, 128, reduction, barrierFree))!;
    d.queue.writeBuffer(r.step, 0, stepWords(1, 127));
    const norm = r.k.rmsnorm(r.step, r.buf('x', randomArray(1024, 3)), r.buf('w', randomArray(1024, 4)), r.buf('out', 1024));
    const att = r.k.attention(r.buf('q', randomArray(512, 5)), r.buf('kc', randomArray(128 * 128, 6)), r.buf('vc', randomArray(128 * 128, 7)), r.buf('o', 512));
    kernels.push([`gemv ${build}`, ctx, (pass) => lin.encode(pass, 1)], [`rmsnorm ${build}`, ctx, (pass) => norm.encode(pass, 1)],
      [`attention ${build}`, ctx, (pass) => att.encode(pass, 1)]);
  }
  // interleaved rounds, best of each: the machine is shared, so a slow moment should not land on one build only
  const ms: Record<string, number> = {};
  for (let round = 0; round < 3; round++) {
    for (const [name, ctx, encode] of kernels) ms[name] = Math.min(ms[name] ?? Infinity, (await timeKernel(ctx, encode, 5, 1)) * 1e3);
  }
  const ctx = (await gpu())!;
  const lines = [`${ctx.adapterName}, subgroup sizes ${ctx.features.subgroupSizes?.join('-')}; fp8 GEMV ${n}x${k} (1 lane, 8 lanes, a subgroup per row), ` +
    'rmsnorm dim 1024 (a thread per row, 64 threads), attention 8 heads x 64 at 128 keys (online, 64 threads)'];
  for (const what of ['gemv', 'rmsnorm', 'attention']) {
    const [free, shared, sub] = ['barrier-free', 'shared', 'subgroup'].map((b) => ms[`${what} ${b}`]);
    lines.push(`${what.padEnd(10)} barrier-free ${free.toFixed(3)} ms, shared ${shared.toFixed(3)} ms, subgroup ${sub.toFixed(3)} ms: ` +
      `subgroup/shared ${(sub / shared).toFixed(2)}, subgroup/barrier-free ${(sub / free).toFixed(2)}`);
    expect(free > 0 && shared > 0 && sub > 0).toBe(true);
  }
  console.log(lines.join('\n'));
});
