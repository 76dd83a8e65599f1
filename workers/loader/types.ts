// What a loader hands the engine: config, the weights (references into the file), tokenizer and descriptive metadata.
import type { LlamaConfig } from '../model/config.ts';
import type { LlamaWeights } from '../model/weights.ts';
import type { Tokenizer } from '../tokenizer/types.ts';

export interface TensorInfo {
  name: string; // as in the file, e.g. "blk.0.attn_q.weight" or "model.layers.0.self_attn.q_proj.weight"
  shape: number[]; // row-major, outermost first
  dtype: string; // as stored in the file: F32, F16, BF16, Q8_0 ...
  bytes: number; // bytes in the file
}

export interface LoadedModel {
  name: string;
  format: 'gguf' | 'safetensors';
  config: LlamaConfig;
  weights: LlamaWeights;
  tokenizer: Tokenizer;
  /** Jinja chat template (tokenizer_config.json or GGUF tokenizer.chat_template), if the model has one. */
  chatTemplate: string | null;
  /** Token strings the template uses as bos/eos, for rendering. */
  bosToken: string | null;
  eosToken: string | null;
  tensors: TensorInfo[];
  fileBytes: number;
}

/** Reports progress of slow steps; loaded/total in bytes or items. */
export type ProgressFn = (p: { phase: string; loaded: number; total: number }) => void;
