// Ratios measured in one run on this device: GEMV time per format against the copy kernel, and FP8 decode by
// arithmetic (quant.wgsl) against decode-table lookups (uniform and storage buffer). The times are printed, never
// asserted (SwiftShader's ratios are not a real GPU's, docs/precision.md); what is asserted is that every kernel
// timed computes the right thing: each format's GEMV against its CPU twin, the table decodes bit for bit against
// the arithmetic one. VITE_BENCH=1 runs larger sizes.
import { expect, test } from 'vitest';
import { gpu, randomArray } from './harness.ts';
import { readBuffer, storageBuffer, uniformBuffer, type GpuContext } from '../../workers/gpu/context.ts';
import { createCpuLinear } from '../../workers/reference/linear.ts';
import { cachedPipeline, createGpuLinear, gemvLanes, grid, GEMV_WG, MATMUL_KERNELS } from '../../workers/gpu/linear.ts';
import { createCopyBench, timeKernel } from '../../workers/gpu/linear-bench.ts';
import { packMatrix } from '../../workers/quant/pack.ts';
import { FP8_TABLE } from '../../workers/quant/fp8.ts';
import type { LinearSpec } from '../../workers/quant/types.ts';

const big = import.meta.env.VITE_BENCH === '1';
const N = big ? 2048 : 512, K = big ? 2048 : 512;
const spec = (s: Partial<LinearSpec>): LinearSpec => ({ dtype: 'f32', scale: 'row', act: null, actBound: null, bf16Rounding: 'nearest', ...s });

test('copy bandwidth and GEMV time per format, measured together', async () => {
  const ctx = await gpu();
  if (!ctx) return;
  const d = ctx.device;
  const copy = await createCopyBench(ctx, 16 << 20);
  const copyGbS = await copy.measure(4);
  copy.destroy();
  const w = randomArray(N * K, 1, 0.5), xv = randomArray(K, 2);
  const x = storageBuffer(d, 'bench.x', K * 4, xv);
  const y = storageBuffer(d, 'bench.y', N * 4);
  const rows = uniformBuffer(d, 'bench.rows', [1, 0, 0, 0]);
  const lines = [`device: ${ctx.adapterName}; copy ${copyGbS.toFixed(2)} GB/s (read + write); GEMV ${N}x${K}`];
  for (const [name, s] of [['f32', spec({})], ['bf16', spec({ dtype: 'bf16' })], ['fp8e4m3', spec({ dtype: 'fp8e4m3' })],
    ['fp8e4m3 w8a8', spec({ dtype: 'fp8e4m3', act: 'fp8e4m3', actBound: 1200 })]] as const) {
    const lin = await createGpuLinear(ctx, `bench.${name}`, w, N, K, s, { x, y, rows, maxRows: 1 });
    const sec = await timeKernel(ctx, (pass) => lin.encode(pass, 1), 5, 2);
    // the kernel timed is the right one: its last output equals the CPU twin's, within f32 summation error
    const got = new Float32Array(await readBuffer(d, y, N * 4)), want = new Float32Array(N);
    createCpuLinear(w, N, K, s).apply(xv, 1, want);
    for (let i = 0; i < N; i++) {
      let sum = 0;
      for (let c = 0; c < K; c++) sum += Math.abs(xv[c] * w[i * K + c]);
      expect(Math.abs(got[i] - want[i]), `${name} y[${i}] = ${got[i]}, CPU ${want[i]}`).toBeLessThanOrEqual((K + 4) * 2 ** -24 * 1.6 * sum + 2 ** -23 * Math.abs(want[i]));
    }
    lines.push(`${name.padEnd(14)} ${(sec * 1e3).toFixed(3)} ms  ${(lin.bytes / sec / 1e9).toFixed(2)} GB/s of weights  ` +
      `${((lin.bytes / sec / 1e9) / copyGbS * 100).toFixed(0)}% of copy`);
    lin.destroy();
  }
  console.log(lines.join('\n'));
  x.destroy();
  y.destroy();
  rows.destroy();
});

/** The FP8 GEMV with its E4M3 decode swapped for a table lookup (a 256-entry f32 table). */
async function lutGemv(ctx: GpuContext, where: 'uniform' | 'storage') {
  const d = ctx.device;
  const decl = where === 'uniform'
    ? '@group(0) @binding(8) var<uniform> lut: array<vec4<f32>, 64>;\nfn lut1(c: u32) -> f32 { return lut[c / 4u][c % 4u]; }'
    : '@group(0) @binding(8) var<storage, read> lut: array<f32>;\nfn lut1(c: u32) -> f32 { return lut[c]; }';
  const code = `${MATMUL_KERNELS.fp8.gemv.replace('return fp8e4m3x4(word);', 'return lut4(word);')}
${decl}
fn lut4(w: u32) -> vec4<f32> { let c = bytes4(w); return vec4<f32>(lut1(c.x), lut1(c.y), lut1(c.z), lut1(c.w)); }`;
  const p = packMatrix(randomArray(N * K, 1, 0.5), N, K, spec({ dtype: 'fp8e4m3' }));
  const kv = p.kPacked / 4, tpr = gemvLanes(kv, ctx.adapterName);
  const pipeline = await cachedPipeline(d, `matmul_fp8_gemv_lut_${where}`, code, { WG: GEMV_WG, TPR: tpr, W_E5M2: 0 });
  const table = where === 'uniform' ? uniformBuffer(d, 'lut', FP8_TABLE.fp8e4m3, 'raw') : storageBuffer(d, 'lut', 1024, FP8_TABLE.fp8e4m3);
  const bufs: Record<number, GPUBuffer> = {
    1: storageBuffer(d, 'x', K * 4, randomArray(K, 2)), 4: storageBuffer(d, 'w', p.data.byteLength, p.data),
    5: storageBuffer(d, 's', N * 4, p.scales!), 6: storageBuffer(d, 'y', N * 4), 7: uniformBuffer(d, 'dims', [N, K, kv, 0, N, 0, 0, 0]), 8: table,
  };
  const bind = d.createBindGroup({ layout: pipeline.getBindGroupLayout(0),
    entries: Object.entries(bufs).map(([b, buffer]) => ({ binding: Number(b), resource: { buffer } })) });
  const [gx, gy] = grid(Math.ceil(N / (GEMV_WG / tpr)));
  const sec = await timeKernel(ctx, (pass) => { pass.setPipeline(pipeline); pass.setBindGroup(0, bind); pass.dispatchWorkgroups(gx, gy); }, 5, 2);
  const y = new Float32Array(await readBuffer(d, bufs[6], N * 4));
  for (const b of Object.values(bufs)) b.destroy();
  return { sec, y };
}

test('FP8 decode: arithmetic against table lookups', async () => {
  const ctx = await gpu();
  if (!ctx) return;
  const d = ctx.device;
  const w = randomArray(N * K, 1, 0.5);
  const x = storageBuffer(d, 'bench.x', K * 4, randomArray(K, 2));
  const y = storageBuffer(d, 'bench.y', N * 4);
  const rows = uniformBuffer(d, 'bench.rows', [1, 0, 0, 0]);
  const lin = await createGpuLinear(ctx, 'bench.fp8', w, N, K, spec({ dtype: 'fp8e4m3' }), { x, y, rows, maxRows: 1 });
  const arith = await timeKernel(ctx, (pass) => lin.encode(pass, 1), 5, 2);
  const want = new Float32Array(await readBuffer(d, y, N * 4));
  const uni = await lutGemv(ctx, 'uniform');
  const sto = await lutGemv(ctx, 'storage');
  // the same kernel with only the decode swapped: a table holding the decoded codes gives the same bits
  for (const [where, got] of [['uniform', uni.y], ['storage', sto.y]] as const) {
    for (let i = 0; i < N; i++) expect(Object.is(got[i], want[i]), `${where} table y[${i}] = ${got[i]}, arithmetic ${want[i]}`).toBe(true);
  }
  console.log(`FP8 E4M3 GEMV ${N}x${K} on ${ctx.adapterName}: arithmetic decode ${(arith * 1e3).toFixed(3)} ms, ` +
    `uniform table ${(uni.sec * 1e3).toFixed(3)} ms, storage table ${(sto.sec * 1e3).toFixed(3)} ms`);
  lin.destroy();
  x.destroy();
  y.destroy();
  rows.destroy();
});
