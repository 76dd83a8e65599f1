// The engine behind the worker boundary: load a model, pick WebGPU or the CPU engine, generate with streaming
// events, switch precision live. Every failure becomes an Error with one line a person can act on.
import type {
  ChatMessage, EngineApi, EngineEvent, GenerateRequest, GenerateResult, LoadProgress, ModelInfo, ModelSource,
  KernelTime, PrecisionMap, PrecisionOverride, PresetName, ProfileResult, QualityMetrics, SelfTestResult, TensorDetail, TensorNumerics,
  PipelineEvent, PipelineRequest, PipelineResult,
} from './api.ts';
import { loadModelFromBytes, fetchWithProgress } from './loader/index.ts';
import type { LoadedModel } from './loader/types.ts';
import { countParams, matrixShape, type LayerMatrix } from './model/weights.ts';
import { tensorNumerics } from './model/numerics.ts';
import { evaluate } from './model/eval.ts';
import { fp8Histogram } from './quant/stats.ts';
import type { Forward } from './model/forward.ts';
import { runLoop, type CacheState } from './model/generate.ts';
import { renderChat } from './model/chat.ts';
import { applyOverride, presetMap } from './quant/precision.ts';
import { CpuForward } from './reference/forward.ts';
import { EventBatcher } from './events.ts';
import { PipelineHost } from './pipeline/host.ts';

/** The embedded default model, in Hugging Face layout under public/models/. */
export const DEFAULT_MODEL = 'llama31-mini';
export const DEFAULT_MODEL_FILES = ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json'];
/** Longest sequence the engine allocates a KV cache for (the model's context may be longer). */
export const MAX_SEQ = 2048;

export interface EngineOptions {
  /** 'auto': WebGPU when an adapter exists, else the CPU engine with a notice. */
  engine: 'auto' | 'webgpu' | 'cpu';
  baseUrl: string; // where public/ is served
}

export class Engine implements EngineApi {
  private model: LoadedModel | null = null;
  private forward: Forward | null = null;
  private notice: string | null = null;
  private adapter: string | null = null;
  private cache: CacheState = { tokens: [] };
  private stopRequested = false;
  private busy: Promise<unknown> = Promise.resolve();
  private pipeline = new PipelineHost(); // stage workers, kept between runs of the same cut
  private numericsCache: { map: PrecisionMap; value: TensorNumerics[] } | null = null;

  constructor(private readonly options: EngineOptions) {}

  async load(source: ModelSource, onProgress?: (p: LoadProgress) => void): Promise<ModelInfo> {
    return this.exclusive(async () => {
      const files = await this.readSource(source, onProgress);
      onProgress?.({ phase: 'parse', loaded: 0, total: 1 });
      const model = loadModelFromBytes(files);
      onProgress?.({ phase: 'parse', loaded: 1, total: 1 });
      const maxSeq = Math.min(model.config.contextLength, MAX_SEQ);
      const map = presetMap(model.config.nLayers, 'f32');
      const forward = await this.createForward(model, map, maxSeq, onProgress);
      // only now replace the old model: a failed load leaves the previous one working
      this.forward?.dispose();
      this.pipeline.dispose();
      this.model = model;
      this.forward = forward;
      this.cache = { tokens: [] };
      return this.describe();
    });
  }

  private async readSource(source: ModelSource, onProgress?: (p: LoadProgress) => void): Promise<{ name: string; bytes: Uint8Array }[]> {
    const progress = (p: { loaded: number; total: number }) => onProgress?.({ phase: 'download', ...p });
    switch (source.kind) {
      case 'file': return [{ name: source.name, bytes: new Uint8Array(source.bytes) }];
      case 'files': return source.files.map((f) => ({ name: f.name, bytes: new Uint8Array(f.bytes) }));
      case 'url': {
        if (!source.url.endsWith('/')) {
          const name = decodeURIComponent(new URL(source.url, this.options.baseUrl).pathname.split('/').pop() || 'model.gguf');
          return [{ name, bytes: new Uint8Array(await fetchWithProgress(source.url, progress)) }];
        }
        return this.fetchHfFolder(source.url, progress);
      }
      case 'default': return this.fetchHfFolder(new URL(`models/${DEFAULT_MODEL}/`, this.options.baseUrl).href, progress);
    }
  }

  private async fetchHfFolder(url: string, progress: (p: { loaded: number; total: number }) => void) {
    const out: { name: string; bytes: Uint8Array }[] = [];
    const folder = new URL(url).pathname.split('/').filter(Boolean).pop() ?? 'model'; // names the model
    for (const name of DEFAULT_MODEL_FILES) {
      const optional = name === 'generation_config.json';
      try {
        out.push({ name: `${folder}/${name}`, bytes: new Uint8Array(await fetchWithProgress(new URL(name, url).href, progress)) });
      } catch (e) {
        if (!optional) throw e;
      }
    }
    return out;
  }

  private async createForward(model: LoadedModel, map: ReturnType<typeof presetMap>, maxSeq: number, onProgress?: (p: LoadProgress) => void): Promise<Forward> {
    this.notice = null;
    this.adapter = null;
    if (this.options.engine !== 'cpu') {
      try {
        const { createGpuForward } = await import('./gpu/forward.ts');
        const gpu = await createGpuForward(model.config, model.weights, map, maxSeq, (loaded, total) => onProgress?.({ phase: 'upload', loaded, total }));
        this.adapter = gpu.adapterName;
        return gpu;
      } catch (e) {
        if (this.options.engine === 'webgpu') throw e;
        this.notice = `WebGPU unavailable (${oneLine(e)}): running on the CPU engine`;
      }
    }
    return new CpuForward(model.config, model.weights, map, maxSeq);
  }

  async generate(request: GenerateRequest, onEvents?: (events: EngineEvent[]) => void): Promise<GenerateResult> {
    this.stopRequested = false;
    return this.exclusive(async () => {
      const { model, forward } = this.loaded();
      const batcher = new EventBatcher(onEvents);
      const promptTokens = this.promptTokens(model, request);
      try {
        const r = await runLoop(forward, model.tokenizer, {
          promptTokens,
          maxTokens: request.max_tokens ?? 256,
          sampling: { temperature: request.temperature ?? 0.8, topK: request.top_k ?? 0, topP: request.top_p ?? 1 },
          seed: request.seed ?? Math.floor(Math.random() * 2 ** 31),
          stop: request.stop ?? [],
          topLogprobs: request.logprobs ? Math.min(20, Math.max(0, request.top_logprobs ?? 0)) : null,
        }, this.cache, (e) => batcher.push(e), () => this.stopRequested);
        batcher.flush();
        return { promptTokens, ...r, error: null };
      } catch (e) {
        this.cache = { tokens: [] }; // the KV cache may hold a half-run chunk
        const message = oneLine(e);
        batcher.push({ type: 'error', message });
        batcher.flush();
        throw new Error(message, { cause: e });
      }
    });
  }

  private promptTokens(model: LoadedModel, request: GenerateRequest): number[] {
    if (request.messages) {
      if (!model.chatTemplate) throw new Error('this model has no chat template: send a plain prompt instead');
      const text = renderChat(model, request.messages as ChatMessage[]);
      return model.tokenizer.encode(text, { bos: false, specials: true });
    }
    return model.tokenizer.encode(request.prompt ?? '', { bos: true });
  }

  stop(): void { this.stopRequested = true; }

  async runPipeline(request: PipelineRequest, onEvents?: (events: PipelineEvent[]) => void): Promise<PipelineResult> {
    this.stopRequested = false;
    return this.exclusive(async () => {
      const { model, forward } = this.loaded();
      return this.pipeline.run(model, forward.precision, forward.kind, forward.maxSeq, request, onEvents, () => this.stopRequested);
    });
  }

  async info(): Promise<ModelInfo | null> { return this.model ? this.describe() : null; }

  async tokenize(text: string): Promise<{ id: number; text: string }[]> {
    const { model } = this.loaded();
    return model.tokenizer.encode(text, { bos: false }).map((id) => ({ id, text: model.tokenizer.tokenText(id) }));
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
    this.cache = { tokens: [] }; // cached keys/values were computed under the old precision
    return this.describe();
  }

  async selfTest(): Promise<SelfTestResult> {
    return this.exclusive(async () => {
      const { model, forward } = this.loaded();
      const { selfTest } = await import('./model/selftest.ts');
      const r = await selfTest(model, forward);
      this.cache = { tokens: [] };
      return r;
    });
  }

  async numerics(): Promise<TensorNumerics[]> {
    const { model, forward } = this.loaded();
    if (this.numericsCache?.map !== forward.precision) {
      this.numericsCache = { map: forward.precision, value: tensorNumerics(model.config, model.weights, forward.precision) };
    }
    return this.numericsCache.value;
  }

  async tensorDetail(label: string): Promise<TensorDetail> {
    const { model, forward } = this.loaded();
    const found = (await this.numerics()).find((t) => t.label === label);
    if (!found) throw new Error(`no tensor named ${label}: use labels like L0.wq or output`);
    const [, layer, matrix] = /^L(\d+)\.(\w+)$/.exec(label) ?? [];
    const p = forward.precision, w = model.weights, dim = model.config.dim;
    const [values, spec, k] = label === 'output' ? [w.output, p.output, dim]
      : label === 'embedding' ? [w.tokenEmbedding, p.embedding, dim]
        : [w.layers[Number(layer)][matrix as LayerMatrix], p.layers[Number(layer)][matrix as LayerMatrix], matrixShape(model.config, matrix as LayerMatrix)[1]];
    const h = fp8Histogram(values, spec, k);
    return { ...found, histogram: { format: h.format, counts: Array.from(h.counts), values: Array.from(h.values), total: h.total, underflow: h.underflow, clipped: h.clipped } };
  }

  async quality(text?: string): Promise<QualityMetrics & { precision: string }> {
    return this.exclusive(async () => {
      const { model, forward } = this.loaded();
      const tokens = text === undefined ? this.cache.tokens.slice() : model.tokenizer.encode(text, { bos: true }).slice(0, forward.maxSeq);
      if (tokens.length < 2) throw new Error('nothing to measure yet: send a message first');
      // the f32 reference runs on the CPU twin, so the active engine keeps its weights and cache
      const reference = new CpuForward(model.config, model.weights, presetMap(model.config.nLayers, 'f32'), tokens.length).forwardSync(tokens, 0, true);
      const logits = await forward.forward(tokens, 0, true);
      this.cache = { tokens }; // the cache now holds exactly these tokens under the current precision
      return { ...evaluate(reference, logits, tokens, model.config.vocabSize), precision: forward.precision.preset };
    });
  }

  async profile(): Promise<ProfileResult> {
    return this.exclusive(async () => {
      const { model, forward } = this.loaded();
      if (forward.kind !== 'webgpu') throw new Error('GPU time per kernel needs the WebGPU engine; this is the CPU engine');
      const gpu = forward as Forward & { profile(tokens: number[], pos0: number): Promise<KernelTime[]> };
      const text = model.tokenizer.encode('Once upon a time, a curious student asked how a language model runs on a GPU.', { bos: true });
      const prompt = text.slice(0, Math.min(32, forward.maxSeq - 1));
      const prefill = await gpu.profile(prompt, 0);
      const decode = await gpu.profile([prompt[prompt.length - 1]], prompt.length);
      this.cache = { tokens: [] }; // profiling wrote these positions of the KV cache
      return { precision: forward.precision.preset, prefill, decode, prefillTokens: prompt.length };
    });
  }

  /** The loaded model and its forward pass, for the CLI's eval and bench commands. */
  loaded(): { model: LoadedModel; forward: Forward } {
    if (!this.model || !this.forward) throw new Error('no model is loaded: open a model first');
    return { model: this.model, forward: this.forward };
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
      notice: this.notice,
      hasChatTemplate: model.chatTemplate !== null,
      precision: forward.precision,
      weightBytes: forward.weightBytes(),
    };
  }

  /** Runs calls one at a time (a load during a generation waits for it), so the KV cache has one owner. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.busy.then(fn, fn);
    this.busy = run.catch(() => undefined);
    return run.catch((e) => { throw new Error(oneLine(e)); });
  }
}

/** A whole precision map from outside (a link): it must describe this model's layers. */
function checkMap(map: PrecisionMap, nLayers: number): PrecisionMap {
  if (!Array.isArray(map.layers) || map.layers.length !== nLayers || !map.embedding || !map.output) {
    throw new Error(`that precision map does not fit this model: it has ${Array.isArray(map.layers) ? map.layers.length : 'no'} layers, the model ${nLayers}`);
  }
  return map;
}

/** One line for people: the message of an Error, never its stack. */
export function oneLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0].trim() || 'unknown error';
}
