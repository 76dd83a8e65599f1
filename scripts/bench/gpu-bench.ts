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
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import {
  checkpointPlan, DEFAULT_SEED, finishCheckpoint, GEOMETRIES, readStamp, writeShard,
  type Geometry, type ShardStamp, type TensorSpec,
} from '../fixtures/llama-checkpoint.ts';
import { num, parseArgs, str } from '../cli/args.ts';
import { fileSource } from '../cli/node-source.ts';
import { loadModel } from '../../workers/loader/index.ts';
import type { LoadedModel } from '../../workers/loader/types.ts';
import { createGpuContext, readBuffer, storageBuffer, uniformBuffer, type GpuContext } from '../../workers/gpu/context.ts';
import { createGpuLinear } from '../../workers/gpu/linear.ts';
import { createGpuForward, type GpuForward } from '../../workers/gpu/forward.ts';
import { createCopyBench } from '../../workers/gpu/linear-bench.ts';
import type { KernelTime } from '../../workers/gpu/profile.ts';
import { CpuForward } from '../../workers/reference/forward.ts';
import { createCpuLinear } from '../../workers/reference/linear.ts';
import { logSoftmax } from '../../workers/model/eval.ts';
import { mulberry32 } from '../../workers/model/sampler.ts';
import { readF32 } from '../../workers/model/tensor.ts';
import { LAYER_MATRICES, matrixShape } from '../../workers/model/weights.ts';
import { applyOverride, presetMap } from '../../workers/quant/precision.ts';
import { packedWords } from '../../workers/quant/pack.ts';
import type { PrecisionMap, PresetName } from '../../workers/quant/types.ts';

const PRECISIONS = ['bf16', 'fp8-llama3', 'fp8-all'] as const satisfies readonly PresetName[];
type Precision = (typeof PRECISIONS)[number];
const MATMULS = ['wq', 'wk', 'wv', 'wo', 'w1', 'w3', 'w2', 'head'] as const;
/** Parity tolerance on |Δ log-probability| where GPU and CPU multiply the same values (the real-size tests' bound). */
const STRICT_TOLERANCE = 2e-3;
/** Dawn options: Vulkan, and raw timestamps (Dawn rounds them to 2^16 ns by default, longer than a decode matmul on a GPU). */
const DAWN_DEFAULT = ['backend=vulkan', 'disable-dawn-features=timestamp_quantization'];
const TARGETS = { fp8OverBf16Decode: 1.6, matmulShareOfCopy: 0.7 };
/** Exit status when the GPU disagrees with the CPU engine (gpu.sh tells it apart from a crash). */
const PARITY_FAILED = 4;

interface Args {
  webgpu: string; dir: string; tokenizerDir?: string; json: string | null; small: boolean;
  models: { geometry: Geometry; layers: number | 'auto' }[];
  parityLayers: number; promptTokens: number; genTokens: number; repeats: number; budgetS: number; copyMiB: number;
  dawn: string[];
}

const t0 = performance.now();
const elapsed = () => (performance.now() - t0) / 1000;
const log = (msg: string) => process.stderr.write(`[${elapsed().toFixed(1).padStart(6)} s] ${msg}\n`);
const gb = (bytes: number) => bytes / 1e9;
const fmt = (x: number | null | undefined, digits = 1) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits));
/** Three significant digits, no exponent: 3410, 2.47, 0.0512. */
const sig = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : x >= 1000 ? x.toFixed(0) : String(Number(x.toPrecision(3))));
const pct = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : `${(x * 100).toFixed(0)}%`);

// ---------------------------------------------------------------- arguments

function parse(argv: string[]): Args {
  const f = parseArgs(argv, {
    webgpu: 'string', dir: 'string', tokenizer: 'string', json: 'string', small: 'bool', models: 'string',
    'parity-layers': 'string', 'prompt-tokens': 'string', 'gen-tokens': 'string', repeats: 'string', 'budget-s': 'string',
    'copy-mib': 'string', dawn: 'string',
  });
  const small = f.small === true;
  const models = (str(f, 'models') ?? (small ? '1b:1,8b:1' : '1b:16,8b:auto')).split(',').map((m) => {
    const [g, l = 'auto'] = m.trim().split(':');
    if (!(g in GEOMETRIES)) throw new Error(`--models: unknown geometry "${g}" in "${m}": use 1b or 8b, e.g. 1b:16,8b:auto`);
    const layers: number | 'auto' = l === 'auto' ? 'auto' : Number(l);
    if (layers !== 'auto' && !(Number.isInteger(layers) && layers >= 1 && layers <= 64)) throw new Error(`--models: bad layer count in "${m}"`);
    return { geometry: g as Geometry, layers };
  });
  const out = process.env.OUT;
  return {
    webgpu: resolve(str(f, 'webgpu') ?? process.env.GPU_BENCH_WEBGPU ?? '.gpu-bench/webgpu/index.js'),
    dir: resolve(str(f, 'dir') ?? '.cache/gpu-bench'),
    tokenizerDir: str(f, 'tokenizer'),
    json: str(f, 'json') ?? (out ? join(out, 'gpu-bench.json') : null),
    small,
    models,
    parityLayers: num(f, 'parity-layers', small ? 1 : 3, { int: true, min: 0, max: 16 }),
    promptTokens: num(f, 'prompt-tokens', small ? 8 : 128, { int: true, min: 2, max: 1024 }),
    genTokens: num(f, 'gen-tokens', small ? 2 : 64, { int: true, min: 1, max: 1024 }),
    repeats: num(f, 'repeats', small ? 1 : 3, { int: true, min: 1, max: 20 }),
    budgetS: num(f, 'budget-s', 480, { min: 30 }),
    copyMiB: num(f, 'copy-mib', small ? 16 : 256, { int: true, min: 1, max: 4096 }),
    dawn: [...DAWN_DEFAULT, ...(str(f, 'dawn') ?? process.env.GPU_BENCH_DAWN ?? '').split(/\s+/).filter(Boolean)],
  };
}

// ---------------------------------------------------------------- Dawn

interface DawnModule { create(options: string[]): GPU; globals: Record<string, unknown> }

/** Loads dawn.node through the `webgpu` package's index.js and installs navigator.gpu and the GPU* globals. */
async function setupDawn(a: Args): Promise<GPU> {
  let mod: DawnModule;
  try {
    mod = (await import(pathToFileURL(a.webgpu).href)) as DawnModule;
  } catch (e) {
    throw new Error(`could not load Dawn for Node from ${a.webgpu} (${(e as Error).message}): run scripts/bench/gpu-prepare.sh, or pass --webgpu PATH/TO/webgpu/index.js`, { cause: e });
  }
  Object.assign(globalThis, mod.globals);
  const gpu = mod.create(a.dawn);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  return gpu;
}

interface GpuInfo { name: string; vendor: string; architecture: string; device: string; description: string; features: string[]; limits: Record<string, number> }

async function describeGpu(gpu: GPU): Promise<GpuInfo> {
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('Dawn found no WebGPU adapter: no Vulkan driver (check VK_ICD_FILENAMES / VK_DRIVER_FILES and that libvulkan.so.1 loads)');
  const i = adapter.info;
  const limits: Record<string, number> = {};
  for (const k of ['maxBufferSize', 'maxStorageBufferBindingSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup'] as const) limits[k] = adapter.limits[k];
  const description = i.description ?? '';
  const parts = [i.vendor, i.architecture, i.device].filter(Boolean).join(' ');
  return {
    name: description ? `${description}${parts ? ` (${parts})` : ''}` : parts || 'unknown adapter',
    vendor: i.vendor, architecture: i.architecture, device: i.device, description,
    features: [...adapter.features].sort(), limits,
  };
}

// ---------------------------------------------------------------- checkpoints

interface ShardJob { kind: 'gpu-bench-shard'; path: string; specs: TensorSpec[]; layers: number; seed: number }

/** Worker thread: writes one shard (the bundle is its own worker script). */
function shardWorker(job: ShardJob): void {
  parentPort!.postMessage(writeShard(job.path, job.specs, job.layers, job.seed));
}

/** Threads only from the bundle (a .mjs file runs as a worker as it is; a .ts one would need tsx's loader). */
const canThread = () => fileURLToPath(import.meta.url).endsWith('.mjs');

function writeShardInWorker(job: ShardJob): Promise<ShardStamp> {
  return new Promise((ok, fail) => {
    const w = new Worker(fileURLToPath(import.meta.url), { workerData: job });
    w.once('message', ok);
    w.once('error', fail);
    w.once('exit', (code) => { if (code !== 0) fail(new Error(`shard writer for ${job.path} exited with ${code}`)); });
  });
}

/** The checkpoint's folder under a.dir, generated (shards in parallel threads) unless its stamp matches. */
async function ensureModel(a: Args, geometry: Geometry, layers: number): Promise<{ dir: string; generateS: number | null; bytes: number; threads: number }> {
  const dir = join(a.dir, `${GEOMETRIES[geometry].folder}-${layers}l`);
  const plan = checkpointPlan(layers, geometry);
  const bytes = plan.reduce((t, p) => t + p.specs.reduce((s, x) => s + x.shape.reduce((u, v) => u * v, 2), 0), 0);
  if (readStamp(dir, layers, DEFAULT_SEED, geometry)) return { dir, generateS: null, bytes, threads: 0 };
  const s0 = performance.now();
  const tmp = `${dir}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const threads = canThread() ? Math.min(plan.length, cpus().length) : 1;
  log(`generating ${GEOMETRIES[geometry].model} geometry, ${layers} layers (${gb(bytes).toFixed(2)} GB, ${plan.length} shards, ${threads} thread${threads > 1 ? 's' : ''}) in ${dir}`);
  const shards: Record<string, ShardStamp> = {};
  if (threads > 1) {
    const stamps = await Promise.all(plan.map((p) => writeShardInWorker({ kind: 'gpu-bench-shard', path: join(tmp, p.file), specs: p.specs, layers, seed: DEFAULT_SEED })));
    plan.forEach((p, i) => { shards[p.file] = stamps[i]; });
  } else {
    for (const p of plan) shards[p.file] = writeShard(join(tmp, p.file), p.specs, layers, DEFAULT_SEED);
  }
  finishCheckpoint(tmp, layers, DEFAULT_SEED, shards, { geometry, tokenizerDir: a.tokenizerDir });
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  const generateS = (performance.now() - s0) / 1000;
  log(`  wrote ${gb(bytes).toFixed(2)} GB in ${generateS.toFixed(1)} s (${(gb(bytes) / generateS).toFixed(2)} GB/s)`);
  return { dir, generateS, bytes, threads };
}

async function openModel(dir: string): Promise<LoadedModel> {
  const name = dir.split('/').pop()!;
  return loadModel(readdirSync(dir).map((f) => ({ name: `${name}/${f}`, source: fileSource(join(dir, f)) })));
}

// ---------------------------------------------------------------- measuring

function argmax(x: ArrayLike<number>): number {
  let b = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[b]) b = i;
  return b;
}

interface ParityRow {
  check: string; // what ran: a preset, or "fp8 weights" (FP8 E4M3 linears with f32 activations)
  worst_dlogprob: number; argmax_agree: string;
  /** strict: |Δ log-probability| under this tolerance; fp8-activations: no larger than FP8's own effect (see below). */
  bound: number; bound_kind: 'tolerance' | 'fp8 effect'; ok: boolean; gpu_s: number; cpu_s: number;
}

interface LinearParityRow { matrix: string; n: number; k: number; rows: number; worst_rel: number; ok: boolean }

interface ParityResult {
  model: string; layers: number; prompt: number[]; steps: number; rows: ParityRow[]; linears: LinearParityRow[];
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
async function parity(a: Args, gpuName: string): Promise<ParityResult> {
  const layers = a.parityLayers;
  const { dir } = await ensureModel(a, '1b', layers);
  const m = await openModel(dir);
  const prompt = m.tokenizer.encode('The capital of France is Paris, and the capital of Italy is', { bos: true });
  const steps = a.small ? 2 : 3;
  log(`parity: GPU vs CPU engine, ${GEOMETRIES['1b'].model} geometry with ${layers} layer${layers > 1 ? 's' : ''}, ${prompt.length}-token prompt + ${steps} greedy steps, on ${gpuName}`);
  const ctx = await createGpuContext();
  const g = await createGpuForward(m.config, m.weights, presetMap(layers, 'bf16'), 64, undefined, ctx);
  const rows: ParityRow[] = [];
  const linears: LinearParityRow[] = [];
  const cpuLogits: Record<string, Float32Array[]> = {};
  try {
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
      s = performance.now();
      await g.setPrecision(map);
      const got = [await g.forward(prompt, 0)];
      for (let i = 0; i < steps; i++) got.push(await g.forward([ids[i]], prompt.length + i));
      const gpuS = (performance.now() - s) / 1000;
      const { worst, agree } = compareLogits(want, got);
      const strict = !map.layers.some((L) => LAYER_MATRICES.some((x) => L[x].act !== null)); // no FP8 activations (fp8-llama3 on <= 2 layers)
      // FP8 activations: no further from the CPU's FP8 run than that is from the CPU's BF16 run
      const bound = strict ? STRICT_TOLERANCE : compareLogits(cpuLogits.bf16, want).worst;
      const ok = strict ? worst < bound && agree === steps + 1 : worst <= bound;
      rows.push({ check, worst_dlogprob: worst, argmax_agree: `${agree}/${steps + 1}`, bound, bound_kind: strict ? 'tolerance' : 'fp8 effect', ok, gpu_s: gpuS, cpu_s: cpuS });
      log(`  ${check.padEnd(11)} worst |Δ logprob| ${worst.toExponential(2)} (${strict ? 'tolerance' : 'FP8\'s own effect'} ${bound.toExponential(1)}), argmax ${agree}/${steps + 1}: ${ok ? 'ok' : 'FAILED'}`);
    }
    linears.push(...await linearParity(ctx, m, prompt.length));
  } finally {
    g.dispose();
  }
  const passed = (check: string) => rows.find((r) => r.check === check)?.ok === true;
  const w8a8 = linears.every((l) => l.ok);
  return {
    model: GEOMETRIES['1b'].model, layers, prompt, steps, rows, linears,
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
        out.push({ matrix: mat, n, k, rows: mRows, worst_rel: rel, ok: rel < 1e-4 });
      }
    } finally {
      lin.destroy();
      x.destroy();
      y.destroy();
      rowsBuf.destroy();
    }
  }
  const bad = out.filter((l) => !l.ok);
  log(`  W8A8 linears, GPU vs CPU twin on equal inputs (layer 0's ${out.length / 2} matrices, 1 and ${rows} rows): worst ${Math.max(...out.map((l) => l.worst_rel)).toExponential(1)} of max |y|` +
    (bad.length ? `; FAILED: ${bad.map((l) => `${l.matrix} m=${l.rows}`).join(', ')}` : ': ok'));
  return out;
}

/** Seconds per dispatch of encode(), each in its own compute pass bracketed by timestamps (as profile() times kernels). */
async function timestampSeconds(ctx: GpuContext, encode: (pass: GPUComputePassEncoder) => void, runs: number): Promise<number | null> {
  if (!ctx.hasTimestamps) return null;
  const d = ctx.device, count = runs * 2;
  const query = d.createQuerySet({ type: 'timestamp', count });
  const resolveBuf = d.createBuffer({ size: count * 8, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  const read = d.createBuffer({ size: count * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    const enc = d.createCommandEncoder();
    for (let i = 0; i < runs; i++) {
      const pass = enc.beginComputePass({ timestampWrites: { querySet: query, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } });
      encode(pass);
      pass.end();
    }
    enc.resolveQuerySet(query, 0, count, resolveBuf, 0);
    enc.copyBufferToBuffer(resolveBuf, 0, read, 0, count * 8);
    d.queue.submit([enc.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const t = new BigUint64Array(read.getMappedRange().slice(0));
    read.unmap();
    let best = Infinity;
    for (let i = 1; i < runs; i++) if (t[2 * i + 1] > t[2 * i]) best = Math.min(best, Number(t[2 * i + 1] - t[2 * i]) / 1e9); // run 0 warms up
    return Number.isFinite(best) ? best : null;
  } finally {
    query.destroy();
    resolveBuf.destroy();
    read.destroy();
  }
}

interface CopyResult { bytes: number; gb_s: number | null; gb_s_wall: number; method: string }

/** The copy kernel (read + write counted) on this device: timestamps per dispatch, and wall clock over many. */
async function copyBandwidth(ctx: GpuContext, mib: number): Promise<CopyResult> {
  const bytes = Math.min(mib * 2 ** 20, Math.floor(ctx.bindingLimit / 16) * 16);
  const copy = await createCopyBench(ctx, bytes);
  try {
    const wall = await copy.measure(20);
    const s = await timestampSeconds(ctx, (pass) => copy.encode(pass), 20);
    const ts = s === null ? null : (2 * copy.bytes) / s / 1e9;
    return { bytes: copy.bytes, gb_s: ts ?? wall, gb_s_wall: wall, method: ts === null ? 'wall clock (no timestamps)' : 'timestamps, best of 19 single-dispatch passes' };
  } finally {
    copy.destroy();
  }
}

interface MatmulBw { bytes: number; ms: number; gb_s: number; share_of_copy: number | null }

/** Each matmul kind's weight bytes over its GPU time (all layers summed), and all matmuls together. */
function matmulBandwidth(f: GpuForward, kernels: KernelTime[], copyGbS: number | null): { byKind: Record<string, MatmulBw>; all: MatmulBw } {
  const bytesOf = new Map(f.tensorStats().map((t) => [t.label, t.bytes]));
  const headLabel = bytesOf.has('output') ? 'output' : 'embedding';
  const acc: Record<string, { bytes: number; ms: number }> = {};
  for (const k of kernels) {
    if (!(MATMULS as readonly string[]).includes(k.kernel)) continue;
    const bytes = bytesOf.get(k.kernel === 'head' ? headLabel : `L${k.layer}.${k.kernel}`) ?? 0;
    (acc[k.kernel] ??= { bytes: 0, ms: 0 }).bytes += bytes;
    acc[k.kernel].ms += k.ms;
  }
  const bw = (x: { bytes: number; ms: number }): MatmulBw => {
    const gbS = x.ms > 0 ? x.bytes / (x.ms / 1000) / 1e9 : NaN;
    return { bytes: x.bytes, ms: x.ms, gb_s: gbS, share_of_copy: copyGbS ? gbS / copyGbS : null };
  };
  const all = Object.values(acc).reduce((t, x) => ({ bytes: t.bytes + x.bytes, ms: t.ms + x.ms }), { bytes: 0, ms: 0 });
  return { byKind: Object.fromEntries(Object.entries(acc).map(([k, x]) => [k, bw(x)])), all: bw(all) };
}

/** Per dispatch, the least time over several profiles (the first warm, clocks up). */
async function profileMin(f: GpuForward, tokens: number[], pos0: number, runs: number): Promise<KernelTime[]> {
  let best: KernelTime[] | null = null;
  for (let r = 0; r < runs; r++) {
    const p = await f.profile(tokens, pos0);
    best = best ? best.map((k, i) => (p[i].ms > 0 && (k.ms === 0 || p[i].ms < k.ms) ? p[i] : k)) : p;
  }
  return best!;
}

interface PrecisionResult {
  gpu: string; model: string; precision: Precision; parity_ok: boolean | null;
  weight_bytes: number; bytes_per_token: number; repack_s: number;
  prefill_tokens: number; prefill_tok_s: number; prefill_gpu_tok_s: number | null;
  decode_tokens: number; decode_tok_s: number; decode_gpu_tok_s: number | null;
  decode_weight_gb_s: number; decode_share_of_copy: number | null; decode_gpu_weight_gb_s: number | null; decode_gpu_share_of_copy: number | null;
  matmuls_decode: Record<string, MatmulBw> | null; matmuls_decode_all: MatmulBw | null;
  matmuls_prefill_tflops: number | null;
  kernels_decode_ms: Record<string, number> | null; kernels_prefill_ms: Record<string, number> | null;
  fp8_over_bf16_decode: number | null; fp8_over_bf16_decode_gpu: number | null; fp8_over_bf16_bytes: number | null;
}

interface ModelResult {
  gpu: string; model: string; geometry: Geometry; layers: number; full_layers: number; note: string | null;
  checkpoint: { dir: string; bytes: number; generate_s: number | null; threads: number };
  load_s: number; copy: CopyResult; results: PrecisionResult[];
}

/** GPU time per kernel kind, summed over layers. */
const byKernel = (ks: KernelTime[]) => ks.reduce<Record<string, number>>((o, k) => { o[k.kernel] = (o[k.kernel] ?? 0) + k.ms; return o; }, {});

/** FLOPs of the matmuls over `rows` tokens (2 per weight per row). */
function matmulFlops(m: LoadedModel, rows: number): number {
  const c = m.config, kv = c.nKvHeads * c.headDim, q = c.nHeads * c.headDim;
  const perLayer = c.dim * q + 2 * c.dim * kv + q * c.dim + 3 * c.dim * c.hiddenDim;
  return 2 * rows * perLayer * c.nLayers;
}

async function benchModel(a: Args, gpuName: string, geometry: Geometry, layers: number, note: string | null,
  parityOk: Record<string, boolean> | null, onPartial: (m: ModelResult) => void): Promise<ModelResult> {
  const g = GEOMETRIES[geometry], label = `${geometry.toUpperCase()} ${layers}L`;
  const ck = await ensureModel(a, geometry, layers);
  const m = await openModel(ck.dir);
  const ctx = await createGpuContext();
  const copy = await copyBandwidth(ctx, a.copyMiB);
  log(`${label}: copy kernel ${sig(copy.gb_s)} GB/s (${copy.method}; wall ${sig(copy.gb_s_wall)} GB/s) over ${(copy.bytes / 2 ** 20).toFixed(0)} MiB on ${gpuName}`);
  const maxSeq = Math.max(64, Math.ceil((a.promptTokens + a.genTokens + 1) / 64) * 64);
  const prompt = Array.from({ length: a.promptTokens }, (_, i) => (i * 7919 + 13) % m.config.vocabSize);
  let s = performance.now(), lastTick = performance.now();
  const progress = (done: number, total: number) => {
    if (done > 0 && performance.now() - lastTick > 10_000) { lastTick = performance.now(); log(`  ${label} packing: ${(gb(done)).toFixed(2)} / ${gb(total).toFixed(2)} GB read`); }
  };
  const f = await createGpuForward(m.config, m.weights, presetMap(layers, PRECISIONS[0]), maxSeq, progress, ctx);
  const loadS = (performance.now() - s) / 1000;
  log(`${label}: loaded ${gb(f.weightBytes()).toFixed(2)} GB as ${PRECISIONS[0]} in ${loadS.toFixed(1)} s`);
  const out: ModelResult = {
    gpu: gpuName, model: `${g.model} geometry, ${layers} of ${g.layers} layers`, geometry, layers, full_layers: g.layers, note,
    checkpoint: { dir: ck.dir, bytes: ck.bytes, generate_s: ck.generateS, threads: ck.threads }, load_s: loadS, copy, results: [],
  };
  try {
    for (const p of PRECISIONS) {
      s = performance.now();
      if (p !== PRECISIONS[0]) await f.setPrecision(presetMap(layers, p), progress);
      const repackS = p === PRECISIONS[0] ? loadS : (performance.now() - s) / 1000;
      // warm up: pipelines, clocks
      await f.forward(prompt, 0);
      await f.greedy([prompt[0]], a.promptTokens);
      let prefillMs = Infinity, prefillGpuMs: number | null = null, decodeMs = Infinity, decodeGpuMs: number | null = null;
      for (let r = 0; r < a.repeats; r++) {
        let t = performance.now();
        const logits = await f.forward(prompt, 0);
        const ms = performance.now() - t;
        if (ms < prefillMs) { prefillMs = ms; prefillGpuMs = f.lastTiming.gpuMs; }
        let next = argmax(logits), gpuMs: number | null = 0;
        t = performance.now();
        for (let i = 0; i < a.genTokens; i++) {
          next = await f.greedy([next], a.promptTokens + i);
          gpuMs = gpuMs === null || f.lastTiming.gpuMs === null ? null : gpuMs + f.lastTiming.gpuMs;
        }
        const dms = performance.now() - t;
        if (dms < decodeMs) { decodeMs = dms; decodeGpuMs = gpuMs; }
      }
      let decodeKernels: KernelTime[] | null = null, prefillKernels: KernelTime[] | null = null;
      if (ctx.hasTimestamps) {
        decodeKernels = await profileMin(f, [prompt[1]], a.promptTokens, a.small ? 1 : 3);
        prefillKernels = await profileMin(f, prompt.slice(0, Math.min(prompt.length, f.chunk)), 0, a.small ? 1 : 2);
      }
      const weightBytes = f.weightBytes();
      const tensors = f.tensorStats();
      const embedding = tensors.find((t) => t.label === 'embedding')?.bytes ?? 0;
      const headShares = !tensors.some((t) => t.label === 'output');
      // per decoded token every matrix is read once; of the embedding one row (all of it when the head shares it)
      const bytesPerToken = weightBytes - (headShares ? 0 : embedding) + packedWords(f.precision.embedding.dtype, m.config.dim) * 4;
      const decodeTokS = (a.genTokens / decodeMs) * 1000;
      const decodeGpuTokS = decodeGpuMs ? (a.genTokens / decodeGpuMs) * 1000 : null;
      const mm = decodeKernels ? matmulBandwidth(f, decodeKernels, copy.gb_s) : null;
      const prefillMatmulMs = prefillKernels ? prefillKernels.filter((k) => (MATMULS as readonly string[]).includes(k.kernel) && k.kernel !== 'head').reduce((t, k) => t + k.ms, 0) : 0;
      const row: PrecisionResult = {
        gpu: gpuName, model: out.model, precision: p, parity_ok: parityOk ? parityOk[p] ?? null : null,
        weight_bytes: weightBytes, bytes_per_token: bytesPerToken, repack_s: repackS,
        prefill_tokens: a.promptTokens, prefill_tok_s: (a.promptTokens / prefillMs) * 1000,
        prefill_gpu_tok_s: prefillGpuMs ? (a.promptTokens / prefillGpuMs) * 1000 : null,
        decode_tokens: a.genTokens, decode_tok_s: decodeTokS, decode_gpu_tok_s: decodeGpuTokS,
        decode_weight_gb_s: gb(bytesPerToken * decodeTokS), decode_share_of_copy: copy.gb_s ? gb(bytesPerToken * decodeTokS) / copy.gb_s : null,
        decode_gpu_weight_gb_s: decodeGpuTokS ? gb(bytesPerToken * decodeGpuTokS) : null,
        decode_gpu_share_of_copy: decodeGpuTokS && copy.gb_s ? gb(bytesPerToken * decodeGpuTokS) / copy.gb_s : null,
        matmuls_decode: mm?.byKind ?? null, matmuls_decode_all: mm?.all ?? null,
        matmuls_prefill_tflops: prefillMatmulMs > 0 ? matmulFlops(m, Math.min(prompt.length, f.chunk)) / (prefillMatmulMs / 1000) / 1e12 : null,
        kernels_decode_ms: decodeKernels ? byKernel(decodeKernels) : null, kernels_prefill_ms: prefillKernels ? byKernel(prefillKernels) : null,
        fp8_over_bf16_decode: null, fp8_over_bf16_decode_gpu: null, fp8_over_bf16_bytes: null,
      };
      const bf = out.results.find((r) => r.precision === 'bf16');
      if (bf && p !== 'bf16') {
        row.fp8_over_bf16_decode = row.decode_tok_s / bf.decode_tok_s;
        row.fp8_over_bf16_decode_gpu = row.decode_gpu_tok_s && bf.decode_gpu_tok_s ? row.decode_gpu_tok_s / bf.decode_gpu_tok_s : null;
        row.fp8_over_bf16_bytes = bf.bytes_per_token / row.bytes_per_token;
      }
      out.results.push(row);
      log(`${label} ${p}: repack ${repackS.toFixed(1)} s, prefill ${sig(row.prefill_tok_s)} tok/s, decode ${sig(decodeTokS)} tok/s ` +
        `(GPU time ${sig(decodeGpuTokS)}), weights ${sig(row.decode_weight_gb_s)} GB/s = ${pct(row.decode_share_of_copy)} of copy, ` +
        `decode matmuls ${pct(mm?.all.share_of_copy)} of copy`);
      onPartial(out);
    }
  } finally {
    f.dispose();
  }
  return out;
}

// ---------------------------------------------------------------- planning the 8B cut

interface Rates { genSPerGB: number; bf16SPerGB: number; fp8SPerGB: number; measureS: number }

/** Bytes of the matrices each precision re-packs as FP8, for a geometry and layer count (BF16 bytes read). */
function planBytes(geometry: Geometry, layers: number) {
  const g = GEOMETRIES[geometry], d = g.dim, q = g.nHeads * g.headDim, kv = g.nKvHeads * g.headDim;
  const attn = 2 * (2 * d * q + 2 * d * kv), ffn = 2 * 3 * d * g.hiddenDim;
  const plan = checkpointPlan(layers, geometry);
  const shardBytes = plan.map((p) => p.specs.reduce((s, x) => s + x.shape.reduce((u, v) => u * v, 2), 0));
  return {
    total: shardBytes.reduce((a, b) => a + b, 0), maxShard: Math.max(...shardBytes), shards: plan.length,
    fp8Llama3: Math.max(0, layers - 2) * ffn, fp8All: layers * attn + Math.min(layers, 2) * ffn,
  };
}

/** Predicted seconds for a model of `layers` layers, from the rates the previous model ran at. */
function predictS(r: Rates, geometry: Geometry, layers: number, threads: number): number {
  const b = planBytes(geometry, layers);
  const gen = r.genSPerGB * gb(threads > 1 ? b.maxShard : b.total);
  return gen + r.bf16SPerGB * gb(b.total) + r.fp8SPerGB * gb(b.fp8Llama3 + b.fp8All) + r.measureS * (gb(b.total) / 2.5 + 1);
}

// ---------------------------------------------------------------- output

function table(gpuName: string, parityResult: ParityResult | null, models: ModelResult[]): string {
  const lines: string[] = [];
  lines.push(`Real-GPU benchmark on ${gpuName} (WebGPU through Dawn for Node, Vulkan); every figure below is on this GPU`);
  if (parityResult) {
    lines.push(`parity vs the CPU engine (${parityResult.model} geometry, ${parityResult.layers} layer(s), ${parityResult.prompt.length}-token prompt + ${parityResult.steps} greedy steps): ` +
      parityResult.rows.map((r) => `${r.check} ${r.worst_dlogprob.toExponential(1)} ${r.ok ? 'ok' : 'FAILED'}`).join(', ') +
      `; W8A8 linears on equal inputs ${Math.max(...parityResult.linears.map((l) => l.worst_rel)).toExponential(1)} of max |y| ${parityResult.linears.every((l) => l.ok) ? 'ok' : 'FAILED'}`);
  }
  const short = gpuName.replace(/\s*\(.*\)$/, '');
  const head = ['gpu', 'model', 'precision', 'GB/token', 'prefill tok/s', 'decode tok/s', 'GPU-time tok/s', 'weight GB/s', 'of copy', 'matmuls of copy', 'FP8/BF16', 'bytes ratio', 'parity'];
  const rows: string[][] = [];
  for (const m of models) {
    for (const r of m.results) {
      rows.push([short, `${m.geometry.toUpperCase()} ${m.layers}/${m.full_layers}L`, r.precision, fmt(gb(r.bytes_per_token), 3), sig(r.prefill_tok_s), sig(r.decode_tok_s),
        sig(r.decode_gpu_tok_s), sig(r.decode_weight_gb_s), pct(r.decode_share_of_copy), pct(r.matmuls_decode_all?.share_of_copy),
        r.fp8_over_bf16_decode === null ? '-' : `${r.fp8_over_bf16_decode.toFixed(2)}x`, r.fp8_over_bf16_bytes === null ? '-' : `${r.fp8_over_bf16_bytes.toFixed(2)}x`,
        r.parity_ok === null ? '-' : r.parity_ok ? 'ok' : 'FAILED']);
    }
  }
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  lines.push(line(head), ...rows.map(line));
  for (const m of models) {
    lines.push(`${m.geometry.toUpperCase()} ${m.layers}/${m.full_layers}L on ${gpuName}: copy kernel ${sig(m.copy.gb_s)} GB/s (read + write; ${m.copy.method}), ` +
      `checkpoint ${gb(m.checkpoint.bytes).toFixed(2)} GB${m.checkpoint.generate_s === null ? ' (cached)' : ` generated in ${m.checkpoint.generate_s.toFixed(0)} s`}, load ${m.load_s.toFixed(0)} s` +
      (m.note ? `; ${m.note}` : ''));
    const kinds = MATMULS.filter((k) => m.results.some((r) => r.matmuls_decode?.[k]));
    if (kinds.length) {
      lines.push(`  decode matmuls on ${short}, weight bytes / GPU time (timestamps) as a share of copy; prefill matmuls' TFLOP/s:`);
      lines.push(`  ${'precision'.padEnd(10)} ${kinds.map((k) => k.padStart(5)).join(' ')}   all  prefill TFLOP/s`);
      for (const r of m.results) {
        lines.push(`  ${r.precision.padEnd(10)} ${kinds.map((k) => pct(r.matmuls_decode?.[k]?.share_of_copy).padStart(5)).join(' ')} ${pct(r.matmuls_decode_all?.share_of_copy).padStart(5)}  ${sig(r.matmuls_prefill_tflops).padStart(15)}`);
      }
    }
  }
  return lines.join('\n');
}

function targets(models: ModelResult[]) {
  const rows = models.flatMap((m) => m.results.map((r) => ({ ...r, geometry: m.geometry })));
  const fp8 = rows.filter((r) => r.precision === 'fp8-all' && r.fp8_over_bf16_decode !== null);
  const best = (xs: (number | null)[]) => xs.reduce<number | null>((b, x) => (x === null || !Number.isFinite(x) ? b : b === null ? x : Math.max(b, x)), null);
  const ratio = best(fp8.map((r) => r.fp8_over_bf16_decode));
  const share = best(rows.map((r) => r.matmuls_decode_all?.share_of_copy ?? null));
  return {
    fp8_decode_over_bf16: { want: TARGETS.fp8OverBf16Decode, have: ratio, met: ratio === null ? null : ratio >= TARGETS.fp8OverBf16Decode, of: 'fp8-all vs bf16 decode tok/s (wall), best model' },
    decode_matmuls_share_of_copy: { want: TARGETS.matmulShareOfCopy, have: share, met: share === null ? null : share >= TARGETS.matmulShareOfCopy, of: 'all decode matmuls, weight bytes / GPU time / copy bandwidth, best row' },
  };
}

// ---------------------------------------------------------------- main

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
