// What the token loop needs from an engine: run tokens through the model at a position, filling the KV cache,
// and return logits. The CPU engine (workers/reference/) and the WebGPU engine (workers/gpu/) both provide it.
import type { PrecisionMap } from '../quant/types.ts';
import type { LlamaConfig } from './config.ts';

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
  /** Like forward, returning only argmax of the last row's logits (where an engine picks it on the device). */
  greedy?(tokens: number[], pos0: number): Promise<number>;
  /** Re-packs every matrix from the master weights for a new precision map, freeing what it replaces. */
  setPrecision(map: PrecisionMap): Promise<void>;
  readonly precision: PrecisionMap;
  /** Bytes of weights resident for the current precision. */
  weightBytes(): number;
  dispose(): void;
}

/** Splits a prompt into chunks the engine runs in one batched prefill pass each. */
export function* chunks(tokens: number[], size: number): Generator<[number[], number]> {
  for (let i = 0; i < tokens.length; i += size) yield [tokens.slice(i, i + size), i];
}
