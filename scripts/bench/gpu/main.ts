// The real-GPU benchmark: the WebGPU engine (workers/gpu/) under Node with Dawn (npm `webgpu`, dawn.node) on
// Vulkan, on generated checkpoints of Llama 3.2 1B's and Llama 3.1 8B's geometry, under bf16, fp8-llama3 and fp8-all.
// Per model and precision: prefill tok/s (a 128-token prompt), greedy decode tok/s, the copy kernel's bandwidth on
// the same device in the same run, every kernel's GPU time from timestamp queries (GpuForward.profile), each
// matmul's weight bytes over its time as a share of copy bandwidth, and FP8/BF16 decode ratios. Before any speed,
// a parity check: the GPU's logits against the CPU engine's on a small checkpoint, per precision.
// Runs as the bundle scripts/bench/gpu-prepare.sh builds (esbuild: the WGSL `?raw` imports inlined, which tsx cannot
// load) and scripts/bench/gpu.sh starts, there or here: the device machine has no npm. Flags: --small (tiny sizes for
// a CPU Vulkan), --models 1b:16,8b:auto (a layer count, or auto: the 8B cut to fit --budget-s), --parity-layers N,
// --prompt-tokens, --gen-tokens, --repeats, --copy-mib, --dawn "toggles", --webgpu, --tokenizer, --dir, --json.
// Prints one table (the GPU's name on every figure) and writes JSON to $OUT/gpu-bench.json (stdout without $OUT).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { isMainThread, workerData } from 'node:worker_threads';
import { GEOMETRIES } from '../../fixtures/llama-checkpoint.ts';
import { fmt, pct } from '../format.ts';
import { elapsed, gb, log, parse } from './args.ts';
import { canThread, planBytes, predictS, shardWorker, type Rates, type ShardJob } from './checkpoints.ts';
import { describeGpu, setupDawn } from './dawn.ts';
import { benchModel, type ModelResult } from './measure.ts';
import { parity, type ParityResult } from './parity.ts';
import { table, TARGETS, targets } from './report.ts';

/** Exit status when the GPU disagrees with the CPU engine (gpu.sh tells it apart from a crash). */
const PARITY_FAILED = 4;

async function main(): Promise<number> {
  const a = parse(process.argv.slice(2));
  log(`gpu-bench: node ${process.version}, ${cpus().length} CPUs, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; models ${a.models.map((m) => `${m.geometry}:${m.layers}`).join(',')}; ` +
    `prompt ${a.promptTokens}, decode ${a.genTokens}, repeats ${a.repeats}, budget ${a.budgetS} s; Dawn options ${a.dawn.join(' ')}`);
  const gpu = await setupDawn(a);
  const info = await describeGpu(gpu);
  log(`GPU: ${info.name}; timestamp-query ${info.features.includes('timestamp-query') ? 'yes' : 'NO'}; maxBufferSize ${(info.limits.maxBufferSize / 2 ** 30).toFixed(2)} GiB, ` +
    `maxStorageBufferBindingSize ${(info.limits.maxStorageBufferBindingSize / 2 ** 30).toFixed(2)} GiB`);
  const report: Record<string, unknown> = {
    gpu: info, dawn: { webgpu: a.webgpu, options: a.dawn }, node: process.version, small: a.small,
    settings: { prompt_tokens: a.promptTokens, gen_tokens: a.genTokens, repeats: a.repeats, budget_s: a.budgetS, copy_mib: a.copyMiB },
    started: new Date().toISOString(), parity: null, models: [] as ModelResult[], plan: [] as unknown[], errors: [],
  };
  const save = () => {
    report.wall_s = elapsed();
    const json = JSON.stringify(report, null, 2) + '\n';
    if (a.json) { mkdirSync(join(a.json, '..'), { recursive: true }); writeFileSync(a.json, json); }
    return json;
  };
  const models = report.models as ModelResult[];
  let parityFailed = false;
  let parityResult: ParityResult | null = null;
  let parityOk: Record<string, boolean> | null = null;
  const errors = report.errors as { stage: string; error: string }[];
  const failure = (stage: string, e: unknown) => {
    const msg = e instanceof Error ? `${e.message}${e.stack ? `\n${e.stack}` : ''}` : String(e);
    errors.push({ stage, error: msg });
    log(`${stage} FAILED: ${msg}`);
    save();
  };
  if (a.parityLayers > 0) {
    try {
      parityResult = await parity(a, info.name);
      report.parity = parityResult;
      parityOk = parityResult.ok;
      if (Object.values(parityOk).some((ok) => !ok)) {
        parityFailed = true;
        log('PARITY FAILED: the GPU disagrees with the CPU engine; the speeds below are measured but are NOT valid figures for the failing precisions');
      }
    } catch (e) {
      parityFailed = true;
      parityOk = { bf16: false, 'fp8-llama3': false, 'fp8-all': false };
      failure('parity', e);
    }
    save();
  }
  let rates = null as Rates | null;
  for (const spec of a.models) {
    let layers: number, note: string | null = null;
    const full = GEOMETRIES[spec.geometry].layers;
    const left = a.budgetS - elapsed();
    const threads = canThread() ? cpus().length : 1;
    if (spec.layers === 'auto') {
      layers = full;
      if (rates) {
        while (layers > 1 && predictS(rates, spec.geometry, layers, threads) > left) layers--;
        const est = predictS(rates, spec.geometry, layers, threads);
        (report.plan as unknown[]).push({ geometry: spec.geometry, layers, budget_left_s: left, predicted_s: est, rates });
        log(`${spec.geometry}: ${left.toFixed(0)} s of budget left; predicted ${est.toFixed(0)} s for ${layers} of ${full} layers ` +
          `(generate ${rates.genSPerGB.toFixed(1)} s/GB per thread, upload ${rates.bf16SPerGB.toFixed(1)} s/GB, FP8 packing ${rates.fp8SPerGB.toFixed(1)} s/GB)`);
        if (est > left) { log(`${spec.geometry}: skipped: even 1 layer is predicted to overrun the budget`); continue; }
      }
      if (layers < full) note = `cut to ${layers} of ${full} layers to fit the ${a.budgetS} s budget: per-token figures scale with layers; the matmul shares and the FP8/BF16 ratio are per layer`;
    } else {
      layers = spec.layers;
      if (layers < full) note = `${layers} of ${full} layers (chosen)`;
    }
    const m0 = elapsed();
    let result: ModelResult;
    try {
      result = await benchModel(a, info.name, spec.geometry, layers, note, parityOk, (partial) => {
        if (!models.includes(partial)) models.push(partial);
        save();
      });
    } catch (e) {
      failure(`${spec.geometry} ${layers} layers`, e);
      continue;
    }
    // rates for the next model's plan: generation per GB per thread, upload and FP8 packing per GB read
    const b = planBytes(spec.geometry, layers);
    const gen = result.checkpoint.generate_s;
    const r8 = result.results.filter((r) => r.precision !== 'bf16').reduce((t, r) => t + r.repack_s, 0);
    const measure = elapsed() - m0 - (gen ?? 0) - result.load_s - r8;
    rates = {
      genSPerGB: gen === null ? (rates?.genSPerGB ?? 6) : gen / gb(result.checkpoint.threads > 1 ? b.maxShard : b.total),
      bf16SPerGB: result.load_s / gb(b.total),
      fp8SPerGB: r8 / Math.max(0.01, gb(b.fp8Llama3 + b.fp8All)),
      measureS: Math.max(0, measure) / (gb(b.total) / 2.5 + 1),
    };
  }
  report.targets = targets(models);
  report.parity_failed = parityFailed;
  report.finished = new Date().toISOString();
  const json = save();
  console.log(table(info.name, parityResult, models));
  const t = report.targets as ReturnType<typeof targets>;
  console.log(`targets on ${info.name}: FP8 decode >= ${TARGETS.fp8OverBf16Decode}x BF16: ${fmt(t.fp8_decode_over_bf16.have, 2)}x ` +
    `(${t.fp8_decode_over_bf16.met === null ? 'not measured' : t.fp8_decode_over_bf16.met ? 'met' : 'not met'}); decode matmuls >= ${pct(TARGETS.matmulShareOfCopy)} of copy: ` +
    `${pct(t.decode_matmuls_share_of_copy.have)} (${t.decode_matmuls_share_of_copy.met === null ? 'not measured' : t.decode_matmuls_share_of_copy.met ? 'met' : 'not met'})`);
  console.log(a.json ? `JSON: ${a.json}` : json);
  log(`done in ${elapsed().toFixed(0)} s${parityFailed ? ' (parity FAILED)' : ''}${errors.length ? `; ${errors.length} stage(s) failed: ${errors.map((x) => x.stage).join(', ')}` : ''}`);
  return errors.length ? 2 : parityFailed ? PARITY_FAILED : 0;
}

if (!isMainThread && (workerData as ShardJob | undefined)?.kind === 'gpu-bench-shard') {
  shardWorker(workerData as ShardJob);
} else if (isMainThread) {
  main().then((code) => {
    // dawn.node keeps the process alive while navigator.gpu is referenced
    delete (globalThis as { navigator?: unknown }).navigator;
    process.exit(code);
  }, (e: unknown) => {
    console.error(`gpu-bench: ${e instanceof Error ? e.message : String(e)}`);
    if (e instanceof Error && e.stack) console.error(e.stack);
    process.exit(2);
  });
}
