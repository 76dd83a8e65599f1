// THE contract between the UI (main thread) and the engine (Web Worker), exposed with comlink.
// Types only: the UI imports this file with `import type`. Requests and usage follow OpenAI chat/completions
// where that fits, so people who know that API read these at a glance.
import type { LlamaConfig } from './model/config.ts';
import type { TensorInfo } from './loader/types.ts';
import type { LinearSpec, PrecisionMap, PrecisionOverride, PresetName } from './quant/types.ts';
import type { TensorNumerics } from './model/numerics.ts';
import type { QualityMetrics } from './model/eval.ts';
import type { KernelTime } from './gpu/profile.ts';

export type { LlamaConfig, TensorInfo, LinearSpec, PrecisionMap, PrecisionOverride, PresetName, TensorNumerics, QualityMetrics, KernelTime };

/**
 * Why a call failed. Every rejection from the engine carries one (workers/errors.ts builds them; the UI switches on
 * `code`, never on the text): device-lost (the GPU went away; the engine recovers by itself, see EngineStatus),
 * out-of-memory, bad-model (a file that is not what it claims), context-overflow (a prompt longer than the KV
 * cache), network, aborted (stop() or a newer request), unsupported (this model or browser can't do it),
 * bad-request (a value the caller must fix), no-model, internal (a bug of ours). `message` is one line for people;
 * `detail` a machine-readable extra (the Hub's error code, 'GatedRepo').
 */
export type ErrorCode =
  | 'device-lost' | 'out-of-memory' | 'bad-model' | 'context-overflow' | 'network' | 'aborted' | 'unsupported'
  | 'bad-request' | 'no-model' | 'internal';
export interface EngineFailure { code: ErrorCode; message: string; detail?: string }

/**
 * What the engine tells the UI unasked (EngineApi.watch): the GPU device was lost (at once, from the device's
 * `lost` promise), a recovery started or ended, or the engine changed (a second loss within a minute moves it to
 * the CPU engine). `engine` is the engine running afterwards.
 */
export type EngineStatus =
  | { type: 'device-lost'; message: string }
  | { type: 'recovered'; engine: EngineKind; ms: number; message: string }
  | { type: 'engine-changed'; engine: EngineKind; message: string };

/** GPU time per kernel (and so per layer) of one decode step and one prefill chunk, from timestamp queries. */
export interface ProfileResult {
  precision: string;
  decode: KernelTime[];
  prefill: KernelTime[];
  prefillTokens: number;
}

/** One tensor's values against the FP8 grid (E4M3 unless the tensor is E5M2), for the quantization map's hover. */
export interface TensorDetail extends TensorNumerics {
  histogram: {
    format: 'fp8e4m3' | 'fp8e5m2';
    counts: number[]; // (128) elements per grid magnitude, sign dropped; bin 0 holds zeros and underflows
    values: number[]; // (128) the grid value of each bin (after dequantization scale 1)
    total: number;
    underflow: number;
    clipped: number;
  };
}

/**
 * Where a model comes from. A Hugging Face model is a set of files (config.json, model.safetensors or shards +
 * model.safetensors.index.json, tokenizer.json ...). Files are read by byte range, never whole: a picked File
 * crosses to the worker as a Blob handle (no copy) and a URL is read with Range requests.
 */
export type ModelSource =
  | { kind: 'default' } // the embedded default model under public/models/
  | { kind: 'url'; url: string } // a .gguf file, or a folder URL ending in '/' holding a Hugging Face model
  | { kind: 'blobs'; files: { name: string; blob: Blob }[] } // picked or dropped files (File is a Blob)
  | { kind: 'file'; name: string; bytes: ArrayBuffer } // one .gguf file in memory (transferred)
  | { kind: 'files'; files: { name: string; bytes: ArrayBuffer }[] } // a Hugging Face model's files in memory
  | HubSource;

/**
 * A model on the Hugging Face Hub by id (`hf:org/name`, `hf:org/name@revision`, `hf:org/name/file.gguf`): what is
 * missing is downloaded into this browser's storage (OPFS), resumable and verified, then read from there by range;
 * offline (or the Hub unreachable) a cached model loads from storage. The token is sent to the endpoint's origin
 * only. A failed Hub load rejects with a failure whose `detail` is the HubErrorCode (workers/hub/errors.ts: 'GatedRepo',
 * 'PickAFile', 'NotLlama', ...), or code 'aborted' when stop() cancelled the download (the partial file stays).
 */
export interface HubSource {
  kind: 'hub';
  id: string;
  token?: string | null;
  endpoint?: string; // default https://huggingface.co
}

/** A repo in this browser's Hub cache ("Models on this device"). */
export interface CachedModel {
  repo: string; // "org/name"
  id: string; // what its Load opens: the id last loaded ("hf:org/name", "hf:org/name/file.Q4_K_M.gguf@v1")
  kind: 'hf' | 'gguf';
  revisions: { revision: string; commit: string }[]; // refs/<revision>
  commits: string[]; // complete snapshots on the device
  bytes: number; // all the repo holds here, partial downloads included
  lastUsed: number | null; // ms since 1970, the last load
  complete: boolean; // false: only a partial download is here (Load resumes it)
}

/** The .gguf files of a Hub repo, to pick one (a GGUF repo named without a file). */
export interface HubRepoFiles {
  repo: string;
  revision: string;
  commit: string;
  gguf: { path: string; size: number }[];
}

export interface LoadOptions {
  /** Positions the KV cache holds (default min(the model's context, 4096)). */
  context?: number;
  /** The precision to load in: a preset or an encoded map (default: the model's stored precision, bf16 or f32). */
  precision?: string;
  /**
   * CPU engine: threads its big matvecs run on, its own included (1 to 16). Default: the cores, up to 4, where the
   * page is cross-origin isolated (SharedArrayBuffer), else 1.
   */
  threads?: number;
}

/** Bytes the engine holds, measured from what it allocated (host: JS memory; gpu: GPU buffers). */
export interface MemoryInfo {
  /** Weights held on the host (all of them on the CPU engine; the norm gains on the GPU one), KV cache, scratch. */
  host_bytes: { weights: number; kv: number; scratch: number };
  /** WebGPU only: weight bytes per storage format, KV cache, activations and tables. */
  gpu_bytes: { weights: Record<string, number>; kv: number; activations: number } | null;
}

/**
 * download: bytes of small files, or of a Hub model (all its files; `file` is the one being fetched); parse: weight
 * bytes read and packed (CPU engine); upload: weight bytes read and packed onto the GPU.
 */
export interface LoadProgress {
  phase: 'download' | 'parse' | 'upload' | 'compile';
  loaded: number;
  total: number;
  file?: string;
  fileLoaded?: number;
  fileTotal?: number;
}

export type EngineKind = 'webgpu' | 'cpu';

export interface ModelInfo {
  name: string;
  format: 'gguf' | 'safetensors';
  config: LlamaConfig;
  params: number;
  fileBytes: number;
  tensors: TensorInfo[];
  engine: EngineKind;
  /** e.g. "google swiftshader" or "nvidia ampere"; null on the CPU engine. */
  adapter: string | null;
  /** The GPU's optional features and the kernels' reductions, e.g. "subgroups 32, timestamp-query; reductions: subgroupAdd"; null on the CPU engine. */
  gpuFeatures: string | null;
  /** Why the engine is not WebGPU, or other things the user should know; null when all is well. */
  notice: string | null;
  /** Threads the CPU engine's big matvecs run on (1: its own only); null on WebGPU. */
  threads: number | null;
  hasChatTemplate: boolean;
  precision: PrecisionMap;
  /** The precision the file stores (bf16 for BF16/F16/quantized checkpoints, f32 for F32): the quality reference. */
  storedPrecision: PresetName;
  /** Weight bytes resident for the current precision map. */
  weightBytes: number;
  /** Positions the KV cache holds. */
  context: number;
  memory: MemoryInfo;
  /** Where the last load's time went, ms (the worker's clock): what "first token after opening the page" is made of. */
  loadMs: LoadTimes;
}

/**
 * files: opening the files (for a URL, fetching the small ones whole and the sizes of the rest; for the Hub,
 * downloading); headers: parsing the headers, config and tokenizer; weights: reading and packing the weights (on
 * WebGPU: and uploading them, with the pipelines made on the way); total: the whole load.
 */
export interface LoadTimes { files: number; headers: number; weights: number; total: number }

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface GenerateRequest {
  /** Either a raw prompt (completion) or chat messages (rendered with the model's chat template). */
  prompt?: string;
  messages?: ChatMessage[];
  max_tokens?: number; // default 256
  temperature?: number; // 0 = greedy (default 0.8)
  top_k?: number; // 0 = off
  top_p?: number; // 1 = off
  seed?: number; // same seed, same output
  stop?: string[];
  logprobs?: boolean;
  top_logprobs?: number; // 0..20
  /**
   * When the prompt does not fit the KV cache with room for the answer (max_tokens, at most half the context): drop
   * the oldest turns (the system prompt and the last message stay), or a plain prompt's first tokens, and say so
   * (a 'dropped' event, GenerateResult.dropped). Without it such a prompt fails with 'context-overflow'.
   */
  drop_oldest?: boolean;
}

export interface TokenLogprob {
  token: number;
  text: string;
  logprob: number;
  top: { token: number; text: string; logprob: number }[];
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  /** Prompt tokens actually run (a cached common prefix with the previous request is skipped). */
  prefill_tokens: number;
  prefill_ms: number;
  ttft_ms: number;
  decode_tokens: number;
  decode_ms: number;
  prefill_tok_s: number;
  decode_tok_s: number;
}

export type FinishReason = 'stop' | 'length' | 'abort' | 'error';

/** One tagged union; the worker batches events to about one message per animation frame. */
export type EngineEvent =
  | { type: 'prefill'; tokens: number; ms: number }
  // one sampled token and the text it completes (id -1: trailing text flushed at the end, no new token);
  // ms: time since the previous token (for the first token: sampling after the prefill, not the prefill itself)
  | { type: 'token'; id: number; text: string; logprob?: TokenLogprob; ms: number }
  | { type: 'done'; finish: FinishReason; usage: Usage }
  // before the prefill: what drop_oldest left out of the prompt to fit the context
  | { type: 'dropped'; messages: number; tokens: number }
  | ({ type: 'error' } & EngineFailure)
  // the GPU device was lost mid-answer: the engine re-created it, ran the conversation again and goes on
  | { type: 'recovered'; message: string };

export interface GenerateResult {
  promptTokens: number[];
  tokens: number[];
  text: string;
  finish: FinishReason;
  usage: Usage;
  logprobs: TokenLogprob[] | null;
  /** What drop_oldest left out to fit the context (whole messages, or a plain prompt's tokens); null if nothing. */
  dropped: { messages: number; tokens: number } | null;
  /**
   * The engine that produced the answer's last token (it changes when a lost device sends the answer to the CPU);
   * 'remote': an OpenAI-compatible server wrote it (src/engine/remote.ts), whatever that server runs on.
   */
  engine: EngineKind | 'remote';
}

/**
 * Pipeline-parallel inference (Llama 3 paper §6.1; GPipe): the layers cut into `stages` contiguous stages, each on
 * a device of its own in its own worker, the residual stream x passed from stage to stage; the prompts are the
 * micro-batches, flowing through the stages concurrently. Outputs are the same whatever the number of stages.
 */
export interface PipelineRequest {
  prompts: string[]; // one sequence per micro-batch, 1..8
  stages: number; // 1..min(8, nLayers)
  max_tokens?: number; // per sequence, default 32
  temperature?: number; // 0 = greedy (default 0)
  top_k?: number;
  top_p?: number;
  seed?: number; // micro-batch j samples with seed + j
}

/** One stage running one micro-batch's rows: ms from the start of the run (host clock around the work). */
export interface PipelineSpan {
  stage: number;
  microBatch: number;
  phase: 'prefill' | 'decode';
  step: number; // prefill: chunk index; decode: index of the generated token fed in
  rows: number;
  start: number;
  end: number;
  /** GPU time of the stage's compute pass (timestamp queries); null where not measured. */
  gpuMs: number | null;
}

export interface PipelineSequence {
  prompt: string;
  promptTokens: number[];
  tokens: number[];
  text: string;
  finish: FinishReason;
  ttftMs: number | null;
  tpotMs: number | null;
}

export interface PipelineSummary {
  stages: number;
  microBatches: number;
  layers: [number, number][]; // [l0, l1) of each stage
  engine: EngineKind; // of the stages (any stage on the CPU makes this 'cpu')
  timing: 'gpu' | 'host'; // what busy time is measured with
  setupMs: number; // spawning stages and uploading weights (0 when they were reused)
  wallMs: number;
  makespanMs: number;
  busyMs: number[]; // per stage
  bubbleMeasured: number; // 1 - busy / (stages x makespan)
  bubblePredicted: number; // (p - 1) / (m + p - 1)
  bubbleDecode: number; // max(0, 1 - m / p): steady decode, where a token must cross every stage before the next
  totalTokS: number;
  prefillTokS: number;
  decodeTokS: number;
  ttftMs: number;
  tpotMs: number;
  notice: string | null;
}

export interface PipelineResult {
  sequences: PipelineSequence[];
  timeline: PipelineSpan[];
  summary: PipelineSummary;
}

export type PipelineEvent =
  | { type: 'start'; layers: [number, number][]; setupMs: number } // stages ready: [l0, l1) of each
  | { type: 'span'; span: PipelineSpan }
  | { type: 'token'; microBatch: number; id: number; text: string };

/**
 * What the lesson asks of one forward pass over a short text (teacher-forced, from position 0): only the parts
 * named are computed and sent, so a view of one layer stays cheap on a 1B model. Layers and heads are 0-based.
 */
export interface TraceRequest {
  /** Tokenized with BOS by the model's tokenizer; or `tokens` as given (exactly one of the two). At most 128 tokens. */
  text?: string;
  tokens?: number[];
  /** The attention probabilities of every head of one layer. */
  attention?: { layer: number };
  /** ||x|| of every position after the embedding and after each layer (the residual stream's growth). */
  residualNorms?: boolean;
  /** Logit lens: the final norm and the head applied to the residual stream after each layer, at one position
   * (default: the last); the top `topK` (1..50) tokens with their probabilities. */
  logitLens?: { topK: number; position?: number };
  /** The FFN of one layer at one position: gate (w1 x), up (w3 x) and silu(gate) * up, hiddenDim values each. */
  ffn?: { layer: number; position: number };
  /** The embedding row of the token at one position (dim values, as the precision stores it). */
  embedding?: { position: number };
  /** The logits of the last position (the next-token chapter samples from them on the main thread). */
  logits?: boolean;
}

export interface TraceResult {
  tokens: { id: number; text: string }[];
  /**
   * probs[h] is n x n row-major: row i (query position) over keys j <= i, zeros above the diagonal; rows sum to 1.
   * The weights attention multiplies V by (CPU: taken inside attention(); WebGPU: computed on the host from the
   * GPU's q and K cache by the same code, as the kernels never store them). Query head h reads KV head
   * floor(h / (nHeads / nKvHeads)).
   */
  attention?: { layer: number; nHeads: number; nKvHeads: number; probs: Float32Array[] };
  /** norms[0]: after the embedding; norms[l + 1]: after layer l. Each n values. */
  residualNorms?: Float32Array[];
  /** One entry per layer, in order: what the residual stream after that layer predicts at the position (prob: softmax
   * over the whole vocabulary). The last layer's entry is the model's own prediction. */
  logitLens?: { layer: number; top: { id: number; text: string; prob: number }[] }[];
  ffn?: { layer: number; position: number; gate: Float32Array; up: Float32Array; act: Float32Array };
  embedding?: { position: number; id: number; row: Float32Array };
  logits?: Float32Array;
  /** Where it was computed: the CPU engine, or a debug pass on the GPU (its buffers read back between kernels). */
  engine: EngineKind;
}

/** One tokenizer's reading of a text (the tokenizer lesson). */
export interface TokenizerReading {
  /** 'model': the loaded model's own; 'llama2': a 32K SentencePiece BPE (see note); 'llama3': Llama 3's 128K byte-level BPE. */
  id: 'model' | 'llama2' | 'llama3';
  name: string;
  /** What the tokenizer really is where its name promises more (the Llama 2 stand-in's vocabulary), else null. */
  note: string | null;
  kind: 'sentencepiece' | 'bytelevel';
  vocabSize: number;
  /** The text's tokens, no BOS: id, the vocabulary's piece ("▁the", "Ġthe", "<0x0A>"), and the UTF-8 bytes of the
   * text it stands for (the bytes add up to the text's). */
  tokens: { id: number; text: string; bytes: number }[];
  /** Characters (Unicode code points) of the text per token: chars / tokens.length (0 for an empty text). */
  charsPerToken: number;
}

/** The same text through several tokenizers, and the same measure on a fixed English sample. */
export interface TokenizerComparison {
  /** Characters (code points) of the text. */
  chars: number;
  readings: TokenizerReading[];
  /**
   * Characters per token on the fixed English sample (workers/tokenizer/sample.ts) by each tokenizer, and what the
   * Llama 3 paper reports on Meta's English data (Llama 2 3.17, Llama 3 3.94).
   */
  sample: { text: string; chars: number; readings: { id: TokenizerReading['id']; name: string; tokens: number; charsPerToken: number }[]; paper: { llama2: number; llama3: number } };
}

/** The engine as the UI sees it. Every method that fails rejects with an Error carrying an EngineFailure's fields. */
export interface EngineApi {
  load(source: ModelSource, onProgress?: (p: LoadProgress) => void, options?: LoadOptions): Promise<ModelInfo>;
  generate(request: GenerateRequest, onEvents?: (events: EngineEvent[]) => void): Promise<GenerateResult>;
  /** Ends a generation, a quality measurement, or a Hub download in progress (its partial file stays, to resume). */
  stop(): void;
  /** Registers the one listener for EngineStatus (device loss and recovery, engine changes). */
  watch(onStatus: (status: EngineStatus) => void): void;
  info(): Promise<ModelInfo | null>;
  /** Apply a preset, an override or a whole map (re-reads and re-packs the tensors it changes); returns the new map. */
  setPrecision(change: PresetName | PrecisionOverride | PrecisionMap): Promise<ModelInfo>;
  /** GPU time per kernel and layer under the current precision (WebGPU engine with timestamp queries only). */
  profile(): Promise<ProfileResult>;
  /**
   * The inside of one forward pass, as the lesson shows it (see TraceRequest), on the active engine (the WebGPU one
   * through a debug pass, checked against the CPU engine in tests/gpu/trace.test.ts). Waits for a generation in
   * progress; it overwrites the KV cache, so the next generate runs its prompt in full.
   */
  trace(request: TraceRequest): Promise<TraceResult>;
  /**
   * The text through the loaded model's tokenizer (when a model is loaded), Llama 2's 32K SentencePiece kind and
   * Llama 3's 128K byte-level BPE: tokens and characters per token, plus the figures on a fixed English sample.
   * The reference tokenizers' files (about 11 MB) are fetched on the first call and kept in the worker.
   */
  compareTokenizers(text: string): Promise<TokenizerComparison>;
  /** Runs prompts through the layers cut into pipeline stages (one worker and device each), timing every stage. */
  runPipeline(request: PipelineRequest, onEvents?: (events: PipelineEvent[]) => void): Promise<PipelineResult>;
  /** Per-tensor numerics of the current precision map (what quantizing did: amax, scale, clipped, underflow, NaN). */
  numerics(): Promise<TensorNumerics[]>;
  /** One tensor (label as in numerics, e.g. "L2.w1" or "output") with its histogram against the FP8 grid. */
  tensorDetail(label: string): Promise<TensorDetail>;
  /**
   * Quality of the current precision against the model's stored precision (ModelInfo.storedPrecision) on the same
   * engine, teacher-forced on `text`, or on the current conversation (the tokens in the KV cache) when text is
   * omitted: KL(reference || current), top-1 agreement, perplexities. On a large model it re-reads the tensors the
   * two maps disagree on, twice; stop() or the next generate() cancels it (it rejects with "cancelled").
   */
  quality(text?: string, onProgress?: (p: { step: string; done: number; total: number }) => void): Promise<QualityMetrics & { precision: string; reference: string }>;
  /** The Hub models in this browser's storage, most recently used first; `storage` says where ('opfs', 'cache-storage'). */
  cachedModels(): Promise<{ storage: string; models: CachedModel[] }>;
  /** Deletes a repo ("org/name") from this browser's storage: snapshots, blobs, partial downloads. */
  deleteCachedModel(repo: string): Promise<void>;
  /** The .gguf files of a Hub repo with their sizes (after a load rejected with 'PickAFile'). */
  hubFiles(source: HubSource): Promise<HubRepoFiles>;
}
