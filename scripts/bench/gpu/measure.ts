// The speeds: the copy kernel's bandwidth, timestamped passes, each matmul's weight bytes over its GPU time, and
// benchModel, which loads one checkpoint and times prefill and greedy decode under every precision.
import { GEOMETRIES, type Geometry } from '../../fixtures/llama-checkpoint.ts';
import type { LoadedModel } from '../../../workers/loader/types.ts';
import { createGpuContext, type GpuContext } from '../../../workers/gpu/context.ts';
import { createGpuForward, type GpuForward } from '../../../workers/gpu/forward.ts';
import { createCopyBench } from '../../../workers/gpu/linear-bench.ts';
import type { KernelTime } from '../../../workers/gpu/profile.ts';
import { presetMap } from '../../../workers/quant/precision.ts';
import { packedWords } from '../../../workers/quant/pack.ts';
import { pct, sig } from '../format.ts';
import { gb, log, MATMULS, PRECISIONS, type Args, type Precision } from './args.ts';
import { ensureModel, openModel } from './checkpoints.ts';
import { argmax } from './parity.ts';

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

export interface ModelResult {
  gpu: string; model: string; geometry: Geometry; layers: number; full_layers: number; note: string | null;
  checkpoint: { dir: string; bytes: number; generate_s: number | null; threads: number };
  load_s: number; copy: CopyResult; results: PrecisionResult[];
  /** The device's optional features and the reductions its kernels ran with (describeFeatures), e.g. subgroupAdd. */
  gpu_features: string;
}

/** GPU time per kernel kind, summed over layers. */
const byKernel = (ks: KernelTime[]) => ks.reduce<Record<string, number>>((o, k) => { o[k.kernel] = (o[k.kernel] ?? 0) + k.ms; return o; }, {});

/** FLOPs of the matmuls over `rows` tokens (2 per weight per row). */
function matmulFlops(m: LoadedModel, rows: number): number {
  const c = m.config, kv = c.nKvHeads * c.headDim, q = c.nHeads * c.headDim;
  const perLayer = c.dim * q + 2 * c.dim * kv + q * c.dim + 3 * c.dim * c.hiddenDim;
  return 2 * rows * perLayer * c.nLayers;
}

export async function benchModel(a: Args, gpuName: string, geometry: Geometry, layers: number, note: string | null,
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
  log(`${label}: loaded ${gb(f.weightBytes()).toFixed(2)} GB as ${PRECISIONS[0]} in ${loadS.toFixed(1)} s; ${f.gpuFeatures}`);
  const out: ModelResult = {
    gpu: gpuName, model: `${g.model} geometry, ${layers} of ${g.layers} layers`, geometry, layers, full_layers: g.layers, note,
    checkpoint: { dir: ck.dir, bytes: ck.bytes, generate_s: ck.generateS, threads: ck.threads }, load_s: loadS, copy, results: [],
    gpu_features: f.gpuFeatures,
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
