// Parity of the GPU linear (workers/gpu/linear.ts) with its CPU twin (workers/reference/linear.ts) for every
// format, scale mode and activation mode, on awkward sizes: k odd, n not a multiple of the workgroup, m = 1 (GEMV)
// and m > 1 (GEMM), with and without accumulate. Both sides multiply the same decoded codes; they differ only in
// the order and precision of the sum (f32 on the GPU), bounded by (k + 4) * 2^-24 * Σ|terms| (docs/precision.md).
import { describe, expect, test } from 'vitest';
import { gpu, randomArray } from './harness.ts';
import { createPipeline, readBuffer, storageBuffer, uniformBuffer } from '../../workers/gpu/context.ts';
import { createGpuLinear, QUANTIZE_KERNEL, quantizeParams } from '../../workers/gpu/linear.ts';
import { createCpuLinear } from '../../workers/reference/linear.ts';
import { packedWords } from '../../workers/quant/pack.ts';
import { encodeFp8 } from '../../workers/quant/fp8.ts';
import { absMax, clampAmax, dequantFactor, quantizeFactor } from '../../workers/quant/scale.ts';
import { LINEAR_SPECS } from '../linear-specs.ts';

const SHAPES: [number, number][] = [[1, 3], [5, 67], [173, 129]]; // [n, k]
const ROWS = [1, 2, 7, 33];
const MAX_ROWS = 33;

/** Inputs for m rows of k: uniform in [-2, 2) with an outlier of 5000 in row 0 (clipped by a 1200 bound). */
function inputs(m: number, k: number, seed: number): Float32Array {
  const x = randomArray(m * k, seed, 2);
  x[Math.min(k - 1, 1)] = 5000;
  return x;
}

describe.each(LINEAR_SPECS)('%s', (_name, s) => {
  test.each(SHAPES)('n = %i, k = %i: m = 1, 2, 7, 33; accumulate off (default lanes) and on (4 lanes)', async (n, k) => {
    const ctx = await gpu();
    if (!ctx) return;
    const d = ctx.device;
    const w = randomArray(n * k, n * 31 + k, 0.5);
    const cpu = createCpuLinear(w, n, k, s);
    const x = storageBuffer(d, 'test.x', MAX_ROWS * k * 4);
    const y = storageBuffer(d, 'test.y', MAX_ROWS * n * 4);
    const rows = uniformBuffer(d, 'test.rows', [0, 0, 0, 0]);
    let worst = 0;
    for (const accumulate of [false, true]) {
      // The accumulate pass also forces 4 GEMV lanes per row, so the shared-memory reduction runs even where the
      // device's default is one thread per row (SwiftShader).
      const lanes = accumulate ? 4 : undefined;
      const lin = await createGpuLinear(ctx, `test.${s.dtype}`, w, n, k, s, { x, y, rows, maxRows: MAX_ROWS, accumulate, lanes });
      // the bytes of its buffers; a WebGPU buffer is at least 16 bytes, so one row's FP8 scale (4 B) takes 16
      expect(lin.bytes).toBe(cpu.bytes + (cpu.spec.dtype.startsWith('fp8') ? Math.max(0, 16 - 4 * n) : 0));
      for (const m of ROWS) {
        const xv = new Float32Array(inputs(m, k, 1000 * m + k));
        const y0 = accumulate ? new Float32Array(randomArray(m * n, 7 * m + n, 3)) : new Float32Array(m * n).fill(NaN);
        d.queue.writeBuffer(rows, 0, new Uint32Array([m, 0, 0, 0]));
        d.queue.writeBuffer(x, 0, xv);
        d.queue.writeBuffer(y, 0, y0);
        const enc = d.createCommandEncoder();
        const pass = enc.beginComputePass();
        lin.encode(pass, m);
        pass.end();
        d.queue.submit([enc.finish()]);
        const got = new Float32Array(await readBuffer(d, y, m * n * 4));
        const want = Float32Array.from(y0, (v) => (accumulate ? v : 0));
        cpu.apply(xv, m, want, accumulate);
        for (let r = 0; r < m; r++) {
          for (let i = 0; i < n; i++) {
            // Σ|x·w| with the original values bounds Σ|terms| of the decoded ones up to (1 + 2^-2)^2.
            let sum = 0;
            for (let c = 0; c < k; c++) sum += Math.abs(xv[r * k + c] * w[i * k + c]);
            const e = Math.abs(got[r * n + i] - want[r * n + i]);
            const bound = (k + 4) * 2 ** -24 * 1.6 * sum + 2 ** -23 * Math.abs(want[r * n + i]) + 1e-30;
            worst = Math.max(worst, e / bound);
            if (!(e <= bound)) expect.fail(`m=${m} acc=${accumulate} y[${r},${i}] = ${got[r * n + i]}, CPU ${want[r * n + i]}, |diff| ${e} > ${bound}`);
          }
        }
      }
      lin.destroy();
    }
    x.destroy();
    y.destroy();
    rows.destroy();
    expect(worst).toBeLessThanOrEqual(1);
  });
});

test.each(['fp8e4m3', 'fp8e5m2'] as const)('quantize_fp8_rows (%s) gives the CPU twin\'s codes and scales bit for bit', async (fmt) => {
  const ctx = await gpu();
  if (!ctx) return;
  const d = ctx.device;
  for (const [k, bound] of [[67, 1200], [3, null], [129, 0.5]] as const) {
    const m = 9;
    const x = inputs(m, k, k);
    x.fill(0, 2 * k, 3 * k); // an all-zero row: amax clamps to eps
    x[3 * k] = 1e-30; // a tiny row
    const kw = packedWords(fmt, k);
    const pipeline = await createPipeline(d, 'quantize_test', QUANTIZE_KERNEL, { E5M2: fmt === 'fp8e5m2' ? 1 : 0 });
    const bufs = [uniformBuffer(d, 'q.rows', [m, 0, 0, 0]), storageBuffer(d, 'q.x', x.byteLength, x),
      storageBuffer(d, 'q.xq', m * kw * 4), storageBuffer(d, 'q.xs', m * 4), uniformBuffer(d, 'q.params', quantizeParams(k, kw, bound), 'raw')];
    const bind = d.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: bufs.map((buffer, binding) => ({ binding, resource: { buffer } })) });
    const enc = d.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(m);
    pass.end();
    d.queue.submit([enc.finish()]);
    const xq = new Uint32Array(await readBuffer(d, bufs[2], m * kw * 4));
    const xs = new Float32Array(await readBuffer(d, bufs[3], m * 4));
    for (let r = 0; r < m; r++) {
      const amax = clampAmax(absMax(x, r * k, r * k + k), bound);
      expect(xs[r], `row ${r} scale`).toBe(dequantFactor(amax, fmt));
      const qs = quantizeFactor(amax, fmt);
      for (let c = 0; c < kw * 4; c++) {
        const code = (xq[r * kw + (c >> 2)] >>> ((c & 3) * 8)) & 0xff;
        const want = c < k ? encodeFp8(Math.fround(x[r * k + c] * qs), fmt) : 0;
        expect(code, `row ${r} col ${c}`).toBe(want);
      }
    }
    for (const b of bufs) b.destroy();
  }
});
