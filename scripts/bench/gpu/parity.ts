// Parity before speed: the GPU engine's logits against the CPU engine's per precision, and each W8A8 linear against
// its CPU twin on equal inputs.
import { GEOMETRIES } from '../../fixtures/llama-checkpoint.ts';
import type { LoadedModel } from '../../../workers/loader/types.ts';
import { createGpuContext, describeFeatures, readBuffer, storageBuffer, uniformBuffer, type GpuContext } from '../../../workers/gpu/context.ts';
import type { Reduction } from '../../../workers/kernels/registry.ts';
import { createGpuLinear } from '../../../workers/gpu/linear.ts';
import { createGpuForward } from '../../../workers/gpu/forward.ts';
import { CpuForward } from '../../../workers/reference/forward.ts';
import { createCpuLinear } from '../../../workers/reference/linear.ts';
import { logSoftmax } from '../../../workers/model/eval.ts';
import { mulberry32 } from '../../../workers/model/sampler.ts';
import { readF32 } from '../../../workers/model/tensor.ts';
import { LAYER_MATRICES, matrixShape } from '../../../workers/model/weights.ts';
import { applyOverride, presetMap } from '../../../workers/quant/precision.ts';
import type { PrecisionMap } from '../../../workers/quant/types.ts';
import { log, type Args, type Precision } from './args.ts';
import { ensureModel, openModel } from './checkpoints.ts';

/** Parity tolerance on |Δ log-probability| where GPU and CPU multiply the same values (the real-size tests' bound). */
const STRICT_TOLERANCE = 2e-3;

/** Index of the largest value, the first on a tie: the greedy token. */
export function argmax(x: ArrayLike<number>): number {
  let b = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[b]) b = i;
  return b;
}

interface ParityRow {
  check: string; // what ran: a preset, or "fp8 weights" (FP8 E4M3 linears with f32 activations)
  reduction: Reduction; // the kernels' reductions: subgroup operations or the shared-memory fallback
  worst_dlogprob: number; argmax_agree: string;
  /** strict: |Δ log-probability| under this tolerance; fp8-activations: no larger than FP8's own effect (see below). */
  bound: number; bound_kind: 'tolerance' | 'fp8 effect'; ok: boolean; gpu_s: number; cpu_s: number;
}

interface LinearParityRow { matrix: string; n: number; k: number; rows: number; kernel: string; worst_rel: number; ok: boolean }

export interface ParityResult {
  model: string; layers: number; prompt: number[]; steps: number; rows: ParityRow[]; linears: LinearParityRow[];
  /** The GPU's optional features and the reductions checked (describeFeatures of the default device). */
  gpu_features: string; reductions: Reduction[];
  /** Per precision: whether its kernels passed (the strict checks that cover them). */
  ok: Record<Precision, boolean>;
}

/** Every layer linear in FP8 E4M3 with row scales but f32 activations: FP8 weight decoding without activation rounding. */
const fp8WeightsOnly = (layers: number) =>
  applyOverride(presetMap(layers, 'bf16'), { spec: { dtype: 'fp8e4m3', scale: 'row', act: null, actBound: null } });

/** Largest |Δ log-softmax| over every position compared, and how many positions pick the same argmax. */
function compareLogits(want: Float32Array[], got: Float32Array[]): { worst: number; agree: number } {
  let worst = 0, agree = 0;
  for (let i = 0; i < want.length; i++) {
    const x = logSoftmax(want[i]), y = logSoftmax(got[i]);
    for (let j = 0; j < x.length; j++) worst = Math.max(worst, Math.abs(x[j] - y[j]) || (x[j] === y[j] ? 0 : Infinity));
    if (argmax(want[i]) === argmax(got[i])) agree++;
  }
  return { worst, agree };
}

/**
 * The GPU engine against the CPU engine on a short prompt (prefill: the GEMM kernels) and greedy steps after it
 * (decode: the GEMV kernels), every position's whole log-softmax compared.
 * - bf16 and "fp8 weights" (FP8 weights, f32 activations): strict, |Δ log-probability| < 2e-3 and the same argmax.
 *   Both sides multiply the same decoded values; only the order and precision of the sums differ.
 * - fp8-llama3 and fp8-all quantize activations to FP8 per row at run time. On this checkpoint many activations sit
 *   exactly on an E4M3 rounding tie (a BF16 embedding row over its own maximum: the norm's scale cancels), and the
 *   GPU's f32 and the CPU's double round the last bit of those ties apart, so a few codes flip and the flips cascade
 *   through the following quantizations (measured on SwiftShader, 1B geometry: 1.4 logits apart, while each W8A8
 *   matmul agrees to 1e-7 on equal inputs). So the whole model is only bounded by FP8's own effect (CPU fp8 vs CPU
 *   bf16), and the W8A8 kernels are checked exactly, one matmul at a time on equal inputs (linearParity).
 */
export async function parity(a: Args, gpuName: string): Promise<ParityResult> {
  const layers = a.parityLayers;
  const { dir } = await ensureModel(a, '1b', layers);
  const m = await openModel(dir);
  const prompt = m.tokenizer.encode('The capital of France is Paris, and the capital of Italy is', { bos: true });
  const steps = a.small ? 2 : 3;
  log(`parity: GPU vs CPU engine, ${GEOMETRIES['1b'].model} geometry with ${layers} layer${layers > 1 ? 's' : ''}, ${prompt.length}-token prompt + ${steps} greedy steps, on ${gpuName}`);
  // the default device's reductions first (subgroup operations on a GPU that has them), then the shared-memory
  // fallback on the same GPU, so both builds are checked against the same CPU logits
  const ctx = await createGpuContext();
  const reductions: Reduction[] = ctx.reduction === 'subgroup' ? ['subgroup', 'shared'] : [ctx.reduction];
  const gpuFeatures = describeFeatures(ctx.features, ctx.reduction);
  log(`  ${gpuFeatures}; checking the ${reductions.join(' and the ')} build${reductions.length > 1 ? 's' : ''}`);
  const runs: { reduction: Reduction; ctx: GpuContext; g: Awaited<ReturnType<typeof createGpuForward>> }[] = [];
  const rows: ParityRow[] = [];
  const linears: LinearParityRow[] = [];
  const cpuLogits: Record<string, Float32Array[]> = {};
  try {
    for (const reduction of reductions) {
      const c = reduction === ctx.reduction ? ctx : await createGpuContext({ reduction });
      runs.push({ reduction, ctx: c, g: await createGpuForward(m.config, m.weights, presetMap(layers, 'bf16'), 64, undefined, c) });
    }
    const checks: [string, PrecisionMap][] = [['bf16', presetMap(layers, 'bf16')], ['fp8 weights', fp8WeightsOnly(layers)],
      ['fp8-llama3', presetMap(layers, 'fp8-llama3')], ['fp8-all', presetMap(layers, 'fp8-all')]];
    for (const [check, map] of checks) {
      let s = performance.now();
      const cpu = await CpuForward.create(m.config, m.weights, map, 64);
      const want: Float32Array[] = [cpu.forwardSync(prompt, 0)];
      const ids: number[] = [];
      for (let i = 0; i < steps; i++) {
        ids.push(argmax(want[i]));
        want.push(cpu.forwardSync([ids[i]], prompt.length + i));
      }
      cpu.dispose();
      cpuLogits[check] = want;
      const cpuS = (performance.now() - s) / 1000;
      const strict = !map.layers.some((L) => LAYER_MATRICES.some((x) => L[x].act !== null)); // no FP8 activations (fp8-llama3 on <= 2 layers)
      // FP8 activations: no further from the CPU's FP8 run than that is from the CPU's BF16 run
      const bound = strict ? STRICT_TOLERANCE : compareLogits(cpuLogits.bf16, want).worst;
      for (const { reduction, g } of runs) {
        s = performance.now();
        await g.setPrecision(map);
        const got = [await g.forward(prompt, 0)];
        for (let i = 0; i < steps; i++) got.push(await g.forward([ids[i]], prompt.length + i));
        const gpuS = (performance.now() - s) / 1000;
        const { worst, agree } = compareLogits(want, got);
        const ok = strict ? worst < bound && agree === steps + 1 : worst <= bound;
        rows.push({ check, reduction, worst_dlogprob: worst, argmax_agree: `${agree}/${steps + 1}`, bound, bound_kind: strict ? 'tolerance' : 'fp8 effect', ok, gpu_s: gpuS, cpu_s: cpuS });
        log(`  ${check.padEnd(11)} ${reduction.padEnd(8)} worst |Δ logprob| ${worst.toExponential(2)} (${strict ? 'tolerance' : 'FP8\'s own effect'} ${bound.toExponential(1)}), argmax ${agree}/${steps + 1}: ${ok ? 'ok' : 'FAILED'}`);
      }
    }
    for (const r of runs) linears.push(...await linearParity(r.ctx, m, prompt.length));
  } finally {
    for (const r of runs) r.g.dispose(); // each forward destroys its device
  }
  const passed = (check: string) => rows.filter((r) => r.check === check).every((r) => r.ok) && rows.some((r) => r.check === check);
  const w8a8 = linears.every((l) => l.ok);
  return {
    model: GEOMETRIES['1b'].model, layers, prompt, steps, rows, linears, gpu_features: gpuFeatures, reductions,
    ok: { bf16: passed('bf16'), 'fp8-llama3': passed('bf16') && passed('fp8 weights') && w8a8 && passed('fp8-llama3'), 'fp8-all': passed('fp8 weights') && w8a8 && passed('fp8-all') },
  };
}

/**
 * Each W8A8 linear (the recipe's FP8 weights and FP8 activations, as fp8-llama3 and fp8-all run them) on the GPU
 * against its CPU twin on equal inputs, at layer 0's shapes and weights: one row (GEMV) and `m` rows (GEMM). Inputs
 * uniform in [-2, 2) with a 5000 outlier (clipped by the 1200 bound), as tests/gpu/linear.test.ts. The activation
 * codes and scales are the CPU's bit for bit; the sums differ in order only: measured ~1e-7 of max |y|; a wrong
 * kernel is off by O(1). Tolerance 1e-4 of max |y| (the f32 summation bound for k = 8192 is 5e-4 of Σ|terms|).
 */
async function linearParity(ctx: GpuContext, m: LoadedModel, rows: number): Promise<LinearParityRow[]> {
  const d = ctx.device, spec = presetMap(1, 'fp8-all').layers[0].wq, out: LinearParityRow[] = [];
  for (const mat of LAYER_MATRICES) {
    const [n, k] = matrixShape(m.config, mat);
    const w = await readF32(m.weights.layers[0][mat]);
    const cpu = createCpuLinear(w, n, k, spec);
    const x = storageBuffer(d, 'parity.x', rows * k * 4), y = storageBuffer(d, 'parity.y', rows * n * 4);
    const rowsBuf = uniformBuffer(d, 'parity.rows', [rows, 0, 0, 0]);
    const lin = await createGpuLinear(ctx, `parity.L0.${mat}`, w, n, k, spec, { x, y, rows: rowsBuf, maxRows: rows });
    try {
      for (const mRows of [1, rows]) {
        const r = mulberry32(n * 31 + k + mRows);
        const xv = Float32Array.from({ length: mRows * k }, () => (2 * r() - 1) * 2);
        xv[1] = 5000;
        d.queue.writeBuffer(rowsBuf, 0, new Uint32Array([mRows, 0, 0, 0]));
        d.queue.writeBuffer(x, 0, xv);
        const enc = d.createCommandEncoder();
        const pass = enc.beginComputePass();
        lin.encode(pass, mRows);
        pass.end();
        d.queue.submit([enc.finish()]);
        const got = new Float32Array(await readBuffer(d, y, mRows * n * 4));
        const want = new Float32Array(mRows * n);
        cpu.apply(xv, mRows, want);
        let worst = 0, scale = 0;
        for (let i = 0; i < want.length; i++) { worst = Math.max(worst, Math.abs(got[i] - want[i]) || (got[i] === want[i] ? 0 : Infinity)); scale = Math.max(scale, Math.abs(want[i])); }
        const rel = worst / Math.max(scale, 1e-30);
        out.push({ matrix: mat, n, k, rows: mRows, kernel: mRows === 1 ? lin.gemvKernel : 'gemm', worst_rel: rel, ok: rel < 1e-4 });
      }
    } finally {
      lin.destroy();
      x.destroy();
      y.destroy();
      rowsBuf.destroy();
    }
  }
  const bad = out.filter((l) => !l.ok);
  log(`  W8A8 linears (${ctx.reduction} build, GEMV ${out[0].kernel}), GPU vs CPU twin on equal inputs (layer 0's ${out.length / 2} matrices, 1 and ${rows} rows): worst ${Math.max(...out.map((l) => l.worst_rel)).toExponential(1)} of max |y|` +
    (bad.length ? `; FAILED: ${bad.map((l) => `${l.matrix} m=${l.rows}`).join(', ')}` : ': ok'));
  return out;
}
