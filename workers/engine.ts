// The engine behind the worker boundary: load a model, pick WebGPU or the CPU engine, generate with streaming
// events, switch precision live. Every failure becomes an EngineError (a code and one line a person can act on).
// A lost GPU device is noticed at once (its `lost` promise): the engine makes a new device, uploads the weights
// again from their source and replays the KV cache, so an answer in progress goes on; a second loss within a
// minute moves it to the CPU engine, and the UI hears of each step (watch()).
import type {
  CachedModel, EngineApi, EngineStatus, ErrorCode, HubRepoFiles, HubSource, EngineEvent, GenerateRequest, GenerateResult, LoadOptions, LoadProgress, LoadTimes, MemoryInfo, ModelInfo, ModelSource,
  KernelTime, PrecisionMap, PrecisionOverride, PresetName, ProfileResult, QualityMetrics, TensorDetail, TensorNumerics,
  PipelineEvent, PipelineRequest, PipelineResult, TokenizerComparison, TraceRequest, TraceResult,
} from './api.ts';
import { transfer } from 'comlink';
import { loadModel, type ModelFile } from './loader/index.ts';
import { openModelFiles } from './loader/open.ts';
import type { LoadedModel } from './loader/types.ts';
import { countParams } from './model/weights.ts';
import { specOf, weightSlots } from './model/slots.ts';
import { tensorNumerics } from './model/numerics.ts';
import { compareMaps, type QualityProgress } from './model/quality.ts';
import { tensorHistogram } from './quant/stats.ts';
import type { Forward, LoadProgressFn } from './model/forward.ts';
import { emptyCache, replay, runLoop, type CacheState } from './model/generate.ts';
import { buildPrompt } from './model/prompt.ts';
import { WARM_UP_BYTES, warmUp } from './model/warmup.ts';
import { checkMap, storedPreset } from './model/stored-precision.ts';
import { applyOverride, parsePrecision, presetMap } from './quant/precision.ts';
import { CpuForward } from './reference/forward.ts';
import { wholeModel } from './pipeline/split.ts';
import { EventBatcher } from './events.ts';
import { PipelineHost } from './pipeline/host.ts';
import type { HubDevice } from './hub/device.ts';
import type { GpuContext } from './gpu/context.ts';
import type { createGpuForward } from './gpu/forward.ts';
import { planTrace, traceBuffers, traceResult } from './model/trace.ts';
import { compareTokenizers } from './tokenizer/compare.ts';
import { ReferenceTokenizers, type PackageFileReader } from './tokenizer/reference.ts';
import { EngineError, fail, failureOf, oneLine } from './errors.ts';
import { simdNotice } from './simd/matvec.ts';
import { CpuThreads, MAX_THREADS } from './cpu-pool/threads.ts';
import { hasPooledMatrix } from './cpu-pool/split.ts';
import type { SpawnPoolThread } from './cpu-pool/protocol.ts';
import { webPoolThread } from './spawn.ts';

export { oneLine };
/** A second device loss this soon after the last recovery moves the engine to the CPU. */
const SECOND_LOSS_MS = 60_000;

/** The embedded default model, in Hugging Face layout under public/models/. */
export const DEFAULT_MODEL = 'llama31-mini';

/** What Engine.earlyGpu() fetches while a model's files download. */
interface EarlyGpu { createGpuForward: typeof createGpuForward; ctx: GpuContext }

const hasWebGpu = () => (globalThis.navigator as Navigator | undefined)?.gpu !== undefined;
/** KV-cache positions when the load does not say (the model's own context if shorter). */
export const DEFAULT_CONTEXT = 4096;

export interface EngineOptions {
  /** 'auto': WebGPU when an adapter exists, else the CPU engine with a notice. */
  engine: 'auto' | 'webgpu' | 'cpu';
  baseUrl: string; // where public/ is served
  /** Lower the GPU's storage-binding limit (bytes) to run the row-chunked path on small models (tests). */
  bindingLimit?: number;
  /** Where Hub models are kept: default OPFS where the browser has it, else Cache Storage (tests force one). */
  storage?: 'opfs' | 'cache-storage';
  /** How the reference tokenizers' files are read (Node: from node_modules); default: fetched from the build's URLs. */
  readPackageFile?: PackageFileReader;
  /** Where the CPU pool's threads come from (Node: worker_threads); default: Web Workers where the platform has them. */
  spawnPoolThread?: SpawnPoolThread;
  /** A CPU-engine model whose weights take at most this many bytes gets a warm-up run after its load (default
   * WARM_UP_BYTES; 0: never). The GPU engine gets none: on SwiftShader it measured no faster to the first token. */
  warmUpBytes?: number;
}

/** A model source the CLI opens in this process (files on disk): not a message, so not in the API's union. */
export type LocalSource = { kind: 'local'; files: ModelFile[] };

export { storedPreset }; // the precision a model loads in by default (tests read it)

export class Engine implements EngineApi {
  private model: LoadedModel | null = null;
  private forward: Forward | null = null;
  private notice: string | null = null;
  private readonly cpuThreads: CpuThreads; // the CPU engine's threads
  private adapter: string | null = null;
  private gpuFeatures: string | null = null;
  private cache: CacheState = emptyCache();
  private status: ((s: EngineStatus) => void) | null = null;
  private lastRecovery: number | null = null; // performance.now() of the last device recovery
  private stopRequested = false;
  private qualityCancelled = false;
  private busy: Promise<unknown> = Promise.resolve();
  private pipeline = new PipelineHost(); // stage workers, kept between runs of the same cut
  private loadMs: LoadTimes = { files: 0, headers: 0, weights: 0, total: 0 };
  private numericsCache: { map: PrecisionMap; value: TensorNumerics[] } | null = null;
  private hubDevice: Promise<HubDevice> | null = null; // Hub downloads and the browser's model cache, made on first use
  private references = new ReferenceTokenizers((path) => this.readPackageFile(path)); // the tokenizer lesson's, loaded on first use

  constructor(private readonly options: EngineOptions) {
    this.cpuThreads = new CpuThreads(options.spawnPoolThread ?? (typeof Worker === 'function' ? webPoolThread : null));
  }

  async load(source: ModelSource | LocalSource, onProgress?: (p: LoadProgress) => void, options: LoadOptions = {}): Promise<ModelInfo> {
    this.qualityCancelled = true;
    return this.exclusive(async () => {
      const t0 = performance.now();
      onProgress?.({ phase: 'download', loaded: 0, total: 0 });
      let notice = null as string | null;
      const gpu = this.earlyGpu(); // the GPU engine's code and device come while the files do
      const dropGpu = () => void gpu?.then((g) => g.ctx.device.destroy(), () => {}); // a failed load has no use for it
      let model: LoadedModel, t1: number;
      try {
        const files = source.kind === 'local' ? source.files
          : source.kind === 'hub' ? await (await this.hub()).load(source, onProgress, (text) => { notice = text; })
          : await openModelFiles(source, this.options.baseUrl, DEFAULT_MODEL);
        t1 = performance.now();
        model = await loadModel(files);
      } catch (e) {
        dropGpu();
        throw e;
      }
      const t2 = performance.now();
      const context = options.context ?? Math.min(model.config.contextLength, DEFAULT_CONTEXT);
      if (!(Number.isInteger(context) && context >= 2)) {
        dropGpu();
        throw fail('bad-request', `context ${context}: give a whole number of positions, at least 2`);
      }
      const maxSeq = Math.min(context, model.config.contextLength);
      let map = presetMap(model.config.nLayers, storedPreset(model));
      if (options.precision) {
        try {
          map = parsePrecision(options.precision, model.config.nLayers);
        } catch (e) {
          notice = [notice, `the precision asked for does not fit this model (${oneLine(e)}): loaded as ${map.preset}`].filter(Boolean).join('; ');
        }
      }
      const threads = options.threads ?? this.cpuThreads.defaultCount();
      if (!(Number.isInteger(threads) && threads >= 1 && threads <= MAX_THREADS)) {
        dropGpu();
        throw fail('bad-request', `threads ${threads}: give a whole number from 1 to ${MAX_THREADS}`);
      }
      const forward = await this.createForward(model, map, maxSeq, onProgress, gpu, threads);
      const t3 = performance.now();
      if (notice) this.notice = this.notice ? `${this.notice}; ${notice}` : notice;
      // only now replace the old model: a failed load leaves the previous one working
      this.forward?.dispose();
      this.pipeline.dispose();
      this.model = model;
      this.forward = forward;
      this.watchDevice(forward);
      this.lastRecovery = null;
      this.cache = emptyCache();
      this.numericsCache = null;
      this.loadMs = { files: t1 - t0, headers: t2 - t1, weights: t3 - t2, total: t3 - t0 };
      return this.describe();
    }, 'bad-model').then((info) => {
      const { model, forward } = this;
      if (model && forward && forward.kind === 'cpu' && info.weightBytes <= (this.options.warmUpBytes ?? WARM_UP_BYTES)) void this.exclusive(() => this.warmUp(model, forward));
      return info;
    });
  }

  /** Runs in the engine's queue while the page draws the loaded model, so a request that comes sooner waits for it;
   * the engine's KV cache record stays empty, so the next prompt runs from position 0 over what the warm-up wrote. */
  private async warmUp(model: LoadedModel, forward: Forward): Promise<void> {
    if (this.forward !== forward || this.cache.tokens.length > 0) return; // another model, or an answer, came first
    await warmUp(model, forward).catch(() => {}); // a context too short for it: the first answer is cold
  }

  private async createForward(model: LoadedModel, map: PrecisionMap, maxSeq: number, onProgress?: (p: LoadProgress) => void, early?: Promise<EarlyGpu> | null,
    threads = 1): Promise<Forward> {
    this.notice = null;
    this.adapter = null;
    this.gpuFeatures = null;
    const progress = (phase: LoadProgress['phase']): LoadProgressFn => (loaded, total) => onProgress?.({ phase, loaded, total });
    // a browser without the WebGPU API goes straight to the CPU engine, without fetching the GPU engine's code
    if (this.options.engine === 'auto' && !hasWebGpu()) this.notice = 'WebGPU is not available in this browser: running on the CPU engine';
    else if (this.options.engine !== 'cpu') {
      try {
        return await this.gpuForward(model, map, maxSeq, progress('upload'), early);
      } catch (e) {
        if (this.options.engine === 'webgpu') throw e;
        this.notice = `WebGPU unavailable (${oneLine(e)}): running on the CPU engine`;
      }
    }
    const simd = simdNotice(); // the CPU engine on its TypeScript kernels (slower): said, never silent
    if (simd) this.notice = this.notice ? `${this.notice}; ${simd}` : simd;
    // a model whose matrices are all too small to split (the default model) stays on one thread: no pool to start
    const pool = await this.cpuThreads.get(simd || !hasPooledMatrix(model.config) ? 1 : threads, (text) => { this.notice = this.notice ? `${this.notice}; ${text}` : text; });
    return CpuForward.create(model.config, model.weights, map, maxSeq, {}, progress('parse'), pool ?? undefined);
  }

  /**
   * The GPU engine's module and a device, asked for at once (null for the CPU engine or a browser without WebGPU):
   * a load starts this before its files arrive, since an adapter and a device take a while on some systems.
   * Whoever takes the promise owns the device: createGpuForward (which destroys it if it fails), or a failed load.
   */
  private earlyGpu(): Promise<EarlyGpu> | null {
    if (this.options.engine === 'cpu' || (this.options.engine === 'auto' && !hasWebGpu())) return null;
    const options = { bindingLimit: this.options.bindingLimit };
    // the device first, then the engine's code: without an adapter (WebGPU present but blocklisted, or a headless
    // browser) its chunk is neither fetched nor run, and running it held up the worker's file requests by 100-300 ms
    const early = import('./gpu/context.ts').then((m) => m.createGpuContext(options)).then(async (ctx) => {
      const m = await import('./gpu/forward.ts').catch((e: unknown) => { ctx.device.destroy(); throw e; });
      return { createGpuForward: m.createGpuForward, ctx };
    });
    early.catch(() => {}); // seen by whoever awaits it
    return early;
  }

  private async gpuForward(model: LoadedModel, map: PrecisionMap, maxSeq: number, onProgress?: LoadProgressFn, early?: Promise<EarlyGpu> | null): Promise<Forward> {
    const { createGpuForward, ctx } = await (early ?? this.earlyGpu() ?? Promise.reject(new Error('WebGPU is not available in this browser')));
    const gpu = await createGpuForward(model.config, model.weights, map, maxSeq, onProgress, ctx, undefined, { bindingLimit: this.options.bindingLimit });
    this.adapter = gpu.adapterName;
    this.gpuFeatures = gpu.gpuFeatures;
    return gpu;
  }

  watch(onStatus: (status: EngineStatus) => void): void {
    this.status = onStatus;
  }

  /** Hears a GPU forward's device loss at once; while idle the engine recovers straight away (a generation in
   * progress recovers inside its token loop, and this then finds nothing left to do). */
  private watchDevice(forward: Forward): void {
    const lost = (forward as Forward & { deviceLost?: Promise<string> }).deviceLost;
    void lost?.then((reason) => {
      if (this.forward !== forward) return;
      this.status?.({ type: 'device-lost', message: `the GPU device was lost (${reason}): making a new one and uploading the weights again` });
      this.exclusive(async () => {
        if (this.forward !== forward) return;
        await replay(await this.rebuild(reason), this.cache);
      }).catch(() => {}); // the failure reached the UI through status
    });
  }

  /** The token loop's recovery: a new engine when the step failed because our device was lost, else null. */
  private async recoverFrom(e: unknown): Promise<Forward | null> {
    if (failureOf(e).code !== 'device-lost' || !this.model) return null;
    return this.rebuild(oneLine(e));
  }

  /**
   * A new engine for the loaded model after its device was lost: a new GPU device with the weights uploaded again
   * from their source (file, cache, URL), or, on a second loss within a minute (or if no device can be made), the
   * CPU engine. The KV cache's bookkeeping stays: the caller replays it.
   */
  private async rebuild(reason: string): Promise<Forward> {
    const { model, forward: old } = this.loaded();
    const t0 = performance.now();
    const again = this.lastRecovery !== null && t0 - this.lastRecovery < SECOND_LOSS_MS;
    this.lastRecovery = t0;
    old.dispose();
    this.pipeline.dispose();
    this.numericsCache = null;
    let next: Forward | null = null;
    let why = 'the GPU device was lost twice within a minute';
    if (!again) {
      try {
        next = await this.gpuForward(model, old.precision, old.maxSeq);
      } catch (e) {
        why = `the GPU device was lost and a new one could not be made (${oneLine(e)})`;
      }
    }
    if (!next) {
      this.forward = null;
      if (this.options.engine === 'webgpu') {
        const message = `${why}: this run asked for WebGPU only`;
        this.status?.({ type: 'engine-changed', engine: 'cpu', message });
        throw fail('device-lost', message);
      }
      const pool = await this.cpuThreads.get(simdNotice() ? 1 : this.cpuThreads.defaultCount(), () => {}); // the notice below says what runs
      next = await CpuForward.create(model.config, model.weights, old.precision, old.maxSeq, {}, undefined, pool ?? undefined);
      this.adapter = null;
      this.gpuFeatures = null;
      this.notice = `${why}: running on the CPU engine`;
      this.status?.({ type: 'engine-changed', engine: 'cpu', message: this.notice });
    }
    this.forward = next;
    this.watchDevice(next);
    const ms = performance.now() - t0;
    this.status?.({ type: 'recovered', engine: next.kind, ms, message: next.kind === 'webgpu'
      ? `the GPU device was lost (${reason}); a new one holds the weights again (${(ms / 1000).toFixed(1)} s)`
      : `${why}: running on the CPU engine` });
    return next;
  }

  async generate(request: GenerateRequest, onEvents?: (events: EngineEvent[]) => void): Promise<GenerateResult> {
    this.stopRequested = false;
    this.qualityCancelled = true; // a quality measurement in progress gives way to the answer
    return this.exclusive(async () => {
      const { model, forward } = this.loaded();
      const batcher = new EventBatcher(onEvents);
      const prompt = buildPrompt(model, request, forward.maxSeq);
      if (prompt.dropped) batcher.push({ type: 'dropped', ...prompt.dropped });
      try {
        const r = await runLoop(forward, model.tokenizer, {
          promptTokens: prompt.tokens,
          maxTokens: request.max_tokens ?? 256,
          sampling: { temperature: request.temperature ?? 0.8, topK: request.top_k ?? 0, topP: request.top_p ?? 1 },
          seed: request.seed ?? Math.floor(Math.random() * 2 ** 31),
          stop: request.stop ?? [],
          topLogprobs: request.logprobs ? Math.min(20, Math.max(0, request.top_logprobs ?? 0)) : null,
        }, this.cache, (e) => batcher.push(e), () => this.stopRequested, (e) => this.recoverFrom(e));
        batcher.flush();
        return { promptTokens: prompt.tokens, ...r, dropped: prompt.dropped, engine: this.loaded().forward.kind };
      } catch (e) {
        this.cache = emptyCache(); // the KV cache may hold a half-run chunk
        const f = failureOf(e);
        batcher.push({ type: 'error', ...f });
        batcher.flush();
        throw new EngineError(f.code, f.message, f.detail, { cause: e });
      }
    });
  }

  stop(): void {
    this.stopRequested = true;
    this.qualityCancelled = true;
    void this.hubDevice?.then((h) => h.cancel()); // a Hub download in progress stops; its partial file stays
  }

  private hub(): Promise<HubDevice> {
    this.hubDevice ??= import('./hub/device.ts').then((m) => new m.HubDevice(this.options.storage), (e) => {
      this.hubDevice = null; // the chunk could not be fetched: try again next time
      throw e;
    });
    return this.hubDevice;
  }

  async cachedModels(): Promise<{ storage: string; models: CachedModel[] }> {
    return (await this.hub()).cached().catch((e) => { throw crossing(e); });
  }

  /** Waits for a load in progress (it may be downloading this repo). */
  async deleteCachedModel(repo: string): Promise<void> {
    return this.exclusive(async () => (await this.hub()).remove(repo));
  }

  async hubFiles(source: HubSource): Promise<HubRepoFiles> {
    return (await this.hub()).files(source).catch((e) => { throw crossing(e); });
  }

  async runPipeline(request: PipelineRequest, onEvents?: (events: PipelineEvent[]) => void): Promise<PipelineResult> {
    this.stopRequested = false;
    return this.exclusive(async () => {
      const { model, forward } = this.loaded();
      return this.pipeline.run(model, forward.precision, forward.kind, forward.maxSeq, request, onEvents, () => this.stopRequested);
    });
  }

  async info(): Promise<ModelInfo | null> { return this.model ? this.describe() : null; }

  /** The lesson's look inside one pass; its arrays are transferred to the UI, not copied. */
  async trace(request: TraceRequest): Promise<TraceResult> {
    return this.exclusive(async () => {
      const { model, forward } = this.loaded();
      const plan = planTrace(request, model.tokenizer, model.config, forward.maxSeq);
      if (!forward.trace) throw fail('unsupported', 'this engine cannot trace a forward pass');
      this.cache = emptyCache(); // the trace writes KV-cache positions 0 .. n-1
      const result = traceResult(plan, await forward.trace(plan), model.tokenizer, model.config, forward.kind);
      return transfer(result, traceBuffers(result));
    });
  }

  async compareTokenizers(text: string): Promise<TokenizerComparison> {
    const model = this.model ? { name: this.model.name, tokenizer: this.model.tokenizer } : null;
    return compareTokenizers(text, model, this.references).catch((e) => { throw crossing(e); });
  }

  private async readPackageFile(path: string): Promise<Uint8Array> {
    const read = this.options.readPackageFile ?? (await import('./tokenizer/reference-urls.ts')).fetchPackageFile;
    return read(path);
  }

  async setPrecision(change: PresetName | PrecisionOverride | PrecisionMap): Promise<ModelInfo> {
    return this.exclusive(async () => {
      const { model, forward } = this.loaded();
      const map = typeof change === 'string' ? presetMap(model.config.nLayers, change)
        : 'layers' in change ? checkMap(change, model.config.nLayers) : applyOverride(forward.precision, change);
      return this.applyPrecisionMap(map);
    });
  }

  /** Re-packs the weights for a whole map (the CLI's --precision; the URL state). */
  async applyPrecisionMap(map: PrecisionMap): Promise<ModelInfo> {
    await this.loaded().forward.setPrecision(map);
    this.cache = emptyCache(); // cached keys/values were computed under the old precision
    return this.describe();
  }

  async numerics(): Promise<TensorNumerics[]> {
    return this.exclusive(async () => {
      const { forward } = this.loaded();
      if (this.numericsCache?.map !== forward.precision) this.numericsCache = { map: forward.precision, value: tensorNumerics(forward) };
      return this.numericsCache.value;
    });
  }

  /** One tensor's values against the FP8 grid, read again from the file (one tensor at a time, slab by slab). */
  async tensorDetail(label: string): Promise<TensorDetail> {
    const numerics = await this.numerics();
    return this.exclusive(async () => {
      const { model, forward } = this.loaded();
      const found = numerics.find((t) => t.label === label);
      if (!found) throw fail('bad-request', `no tensor named ${label}: use labels like L0.wq or output`);
      const part = wholeModel(model.config);
      const slot = weightSlots(model.config, model.weights, forward.precision, part).find((s) => s.label === (found.sharedWith ?? label))!;
      const h = await tensorHistogram(slot.tensor, specOf(forward.precision, label), found.amax);
      return { ...found, histogram: { format: h.format, counts: Array.from(h.counts), values: Array.from(h.values), total: h.total, underflow: h.underflow, clipped: h.clipped } };
    });
  }

  /** The precision the quality card compares against: what the file stores. */
  referenceMap(): PrecisionMap {
    const { model } = this.loaded();
    return presetMap(model.config.nLayers, storedPreset(model));
  }

  async quality(text?: string, onProgress?: QualityProgress): Promise<QualityMetrics & { precision: string; reference: string }> {
    this.qualityCancelled = false;
    return this.exclusive(async () => {
      const { model, forward } = this.loaded();
      const tokens = text === undefined ? this.cache.tokens.slice() : model.tokenizer.encode(text, { bos: true }).slice(0, forward.maxSeq);
      if (tokens.length < 2) throw fail('bad-request', 'nothing to measure yet: send a message first');
      const reference = this.referenceMap();
      this.cache = emptyCache(); // the runs below overwrite the KV cache
      const metrics = await compareMaps(forward, tokens, reference, () => this.qualityCancelled, onProgress);
      return { ...metrics, precision: forward.precision.preset, reference: reference.preset };
    });
  }

  async profile(): Promise<ProfileResult> {
    return this.exclusive(async () => {
      const { model, forward } = this.loaded();
      if (forward.kind !== 'webgpu') throw fail('unsupported', 'GPU time per kernel needs the WebGPU engine; this is the CPU engine');
      const gpu = forward as Forward & { profile(tokens: number[], pos0: number): Promise<KernelTime[]> };
      const text = model.tokenizer.encode('Once upon a time, a curious student asked how a language model runs on a GPU.', { bos: true });
      const prompt = text.slice(0, Math.min(32, forward.maxSeq - 1));
      const prefill = await gpu.profile(prompt, 0);
      const decode = await gpu.profile([prompt[prompt.length - 1]], prompt.length);
      this.cache = emptyCache(); // profiling wrote these positions of the KV cache
      return { precision: forward.precision.preset, prefill, decode, prefillTokens: prompt.length };
    });
  }

  /** The loaded model and its forward pass, for the CLI's eval and bench commands. */
  loaded(): { model: LoadedModel; forward: Forward } {
    if (!this.model || !this.forward) throw fail('no-model', 'no model is loaded: open a model first');
    return { model: this.model, forward: this.forward };
  }

  /** Bytes held, from what the engine allocated: host memory on the CPU engine, GPU buffers on WebGPU. */
  memory(): MemoryInfo {
    const { model, forward } = this.loaded();
    const m = forward.memory();
    const norms = model.weights.layers.reduce((n, l) => n + l.attnNorm.byteLength + l.ffnNorm.byteLength, model.weights.finalNorm.byteLength);
    if (m.device === null) return { host_bytes: { weights: m.weights + norms, kv: m.kv, scratch: m.activations }, gpu_bytes: null };
    return { host_bytes: { weights: norms, kv: 0, scratch: 0 }, gpu_bytes: { weights: m.device, kv: m.kv, activations: m.activations } };
  }

  private describe(): ModelInfo {
    const { model, forward } = this.loaded();
    return {
      name: model.name,
      format: model.format,
      config: model.config,
      params: countParams(model.config),
      fileBytes: model.fileBytes,
      tensors: model.tensors,
      engine: forward.kind,
      adapter: this.adapter,
      gpuFeatures: this.gpuFeatures,
      notice: this.notice,
      threads: forward.kind === 'cpu' ? this.cpuThreads.used : null,
      hasChatTemplate: model.chatTemplate !== null,
      precision: forward.precision,
      storedPrecision: storedPreset(model),
      weightBytes: forward.weightBytes(),
      context: forward.maxSeq,
      memory: this.memory(),
      loadMs: this.loadMs,
    };
  }

  /** Runs calls one at a time (a load during a generation waits for it), so the KV cache has one owner. A failure
   * leaves as an EngineError; one the engine did not classify gets `fallback` (what the call was doing says why). */
  private exclusive<T>(fn: () => Promise<T>, fallback: ErrorCode = 'internal'): Promise<T> {
    const run = this.busy.then(fn, fn);
    this.busy = run.catch(() => undefined);
    return run.catch((e) => { throw crossing(e, fallback); });
  }
}

function crossing(e: unknown, fallback: ErrorCode = 'internal'): EngineError {
  const f = failureOf(e, fallback);
  return new EngineError(f.code, f.message, f.detail);
}
