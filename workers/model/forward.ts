// What the token loop needs from an engine: run tokens through the model at a position, filling the KV cache,
// and return logits. The CPU engine (workers/reference/) and the WebGPU engine (workers/gpu/) both provide it.
import type { PrecisionMap } from '../quant/types.ts';
import type { QuantStats } from '../quant/pack.ts';
import type { LlamaConfig } from './config.ts';
import type { TraceCapture, TracePlan } from './trace.ts';

/** Thrown when a long step (a precision switch, a quality measurement) sees its cancel flag between tensors. */
export class Cancelled extends Error { constructor() { super('cancelled'); } }

/** Progress of reading and packing weights: stored bytes read of the bytes this step reads. */
export type LoadProgressFn = (loaded: number, total: number) => void;

/** Bytes an engine holds, by what for; on the WebGPU engine they live on the GPU, on the CPU engine in host memory. */
export interface MemoryUse {
  weights: number;
  kv: number;
  /** Activations, scratch and tables (the RoPE table, readback buffers). */
  activations: number;
  /** WebGPU: weight bytes per storage format ("bf16": ..., "fp8e4m3": ...); null on the CPU. */
  device: Record<string, number> | null;
}

export interface Forward {
  readonly kind: 'cpu' | 'webgpu';
  readonly config: LlamaConfig;
  /** Longest sequence the KV cache holds. */
  readonly maxSeq: number;
  /**
   * Runs tokens at positions pos0 .. pos0+n-1 (all earlier positions must already be in the cache).
   * Returns the logits of the last token [vocab], or of every token [n, vocab] when `all`.
   */
  forward(tokens: number[], pos0: number, all?: boolean): Promise<Float32Array>;
  /** Runs plan.tokens from position 0 (slot 0), capturing what the plan asks for (workers/model/trace.ts). */
  trace?(plan: TracePlan): Promise<TraceCapture>;
  /** Like forward, returning only argmax of the last row's logits (where an engine picks it on the device). */
  greedy?(tokens: number[], pos0: number): Promise<number>;
  /**
   * Re-packs, from the file, every matrix whose format the new map changes, freeing what it replaces first.
   * `cancelled` is checked between tensors (throws Cancelled); the forward is then unusable until a setPrecision
   * completes, which re-packs whatever is still in another format.
   */
  setPrecision(map: PrecisionMap, onProgress?: LoadProgressFn, cancelled?: () => boolean): Promise<void>;
  readonly precision: PrecisionMap;
  /** Bytes of weights resident for the current precision. */
  weightBytes(): number;
  memory(): MemoryUse;
  /** What packing did to every tensor of the current map (amax, scale, clipped ...), by label ("L3.w1"). */
  tensorStats(): { label: string; dtype: string; bytes: number; stats: QuantStats }[];
  dispose(): void;
}

/** Splits a prompt into chunks the engine runs in one batched prefill pass each. */
export function* chunks(tokens: number[], size: number): Generator<[number[], number]> {
  for (let i = 0; i < tokens.length; i += size) yield [tokens.slice(i, i + size), i];
}
