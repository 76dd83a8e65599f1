// The engine client: the only place the engine's Web Worker is created. Calls go through comlink
// (typed by workers/api.ts); callbacks cross with `proxy`, picked files as Blob handles (structured clone: the
// worker reads them by range, nothing is copied), in-memory bytes with `transfer`. Every rejection arrives as an
// EngineError (a code the UI switches on, one line for people).
import { proxy, transfer, wrap, type Remote } from 'comlink';
import { asEngineError } from '../../workers/shared.ts';
import type {
  EngineStatus,
  CachedModel,
  EngineApi,
  EngineEvent,
  GenerateRequest,
  GenerateResult,
  HubRepoFiles,
  HubSource,
  LoadOptions,
  LoadProgress,
  ModelInfo,
  ModelSource,
  PipelineEvent,
  PipelineRequest,
  PipelineResult,
  PrecisionMap,
  PrecisionOverride,
  PresetName,
  ProfileResult,
  QualityMetrics,
  TensorDetail,
  TensorNumerics,
  TokenizerComparison,
  TraceRequest,
  TraceResult,
} from '../../workers/api.ts';

let remote: Remote<EngineApi> | null = null;
/** Rejects if the worker script itself fails (a comlink call would otherwise wait forever). */
let crashed: Promise<never> | null = null;

function engine(): { api: Remote<EngineApi>; crashed: Promise<never> } {
  if (!remote || !crashed) {
    const worker = new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), {
      type: 'module',
      name: 'engine',
    });
    crashed = new Promise<never>((_, reject) => {
      worker.addEventListener('error', (e) => {
        e.preventDefault();
        reject(asEngineError(new Error(`The engine worker failed: ${e.message || 'it could not start'}`)));
      });
    });
    crashed.catch(() => {}); // observed by each call's race below
    remote = wrap<EngineApi>(worker);
  }
  return { api: remote, crashed };
}

/**
 * Starts the worker now (src/engine/boot.ts, before the first render): fetching and compiling its script overlaps
 * React's first render instead of following it, which brings the first token after opening the page ~100 ms closer.
 */
export function startEngine(): void {
  engine();
}

function call<T>(run: (api: Remote<EngineApi>) => Promise<T>): Promise<T> {
  const e = engine();
  return Promise.race([run(e.api), e.crashed]).catch((err: unknown) => { throw asEngineError(err); });
}

/** The engine's unasked news (device lost, recovered, engine changed): one listener, registered at start. */
export function watch(onStatus: (status: EngineStatus) => void): Promise<void> {
  return call((api) => api.watch(proxy(onStatus)));
}

export function loadModel(source: ModelSource, onProgress: (p: LoadProgress) => void, options: LoadOptions = {}): Promise<ModelInfo> {
  const buffers =
    source.kind === 'file' ? [source.bytes] : source.kind === 'files' ? source.files.map((f) => f.bytes) : [];
  return call((api) => api.load(transfer(source, buffers), proxy(onProgress), options));
}

export function generate(request: GenerateRequest, onEvents: (events: EngineEvent[]) => void): Promise<GenerateResult> {
  return call((api) => api.generate(request, proxy(onEvents)));
}

export function info(): Promise<ModelInfo | null> {
  return call((api) => api.info());
}

export function stop(): Promise<void> {
  return call((api) => api.stop());
}

export function runPipeline(request: PipelineRequest, onEvents: (events: PipelineEvent[]) => void): Promise<PipelineResult> {
  return call((api) => api.runPipeline(request, proxy(onEvents)));
}

export function setPrecision(change: PresetName | PrecisionOverride | PrecisionMap): Promise<ModelInfo> {
  return call((api) => api.setPrecision(change));
}

export function profile(): Promise<ProfileResult> {
  return call((api) => api.profile());
}

/** The inside of one forward pass over a short text, for the lesson (see TraceRequest). */
export function trace(request: TraceRequest): Promise<TraceResult> {
  return call((api) => api.trace(request));
}

/** The text under the loaded model's tokenizer and the Llama 2 / Llama 3 reference ones (fetched on first use). */
export function compareTokenizers(text: string): Promise<TokenizerComparison> {
  return call((api) => api.compareTokenizers(text));
}

export function numerics(): Promise<TensorNumerics[]> {
  return call((api) => api.numerics());
}

export function tensorDetail(label: string): Promise<TensorDetail> {
  return call((api) => api.tensorDetail(label));
}

export type QualityProgress = { step: string; done: number; total: number };

/** Quality against the model's stored precision; `stop()` (or the next generate) makes it reject with "cancelled". */
export function quality(text: string | undefined, onProgress: (p: QualityProgress) => void): Promise<QualityMetrics & { precision: string; reference: string }> {
  return call((api) => api.quality(text, proxy(onProgress)));
}

/** The Hub models in the browser's storage ("Models on this device"). */
export function cachedModels(): Promise<{ storage: string; models: CachedModel[] }> {
  return call((api) => api.cachedModels());
}

export function deleteCachedModel(repo: string): Promise<void> {
  return call((api) => api.deleteCachedModel(repo));
}

/** A GGUF repo's .gguf files with their sizes (the token, if any, goes to the endpoint's origin only). */
export function hubFiles(source: HubSource): Promise<HubRepoFiles> {
  return call((api) => api.hubFiles(source));
}
