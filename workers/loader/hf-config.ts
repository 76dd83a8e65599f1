// Hugging Face config.json (LlamaConfig in transformers) -> our LlamaConfig, and the HF tensor names.
// Reference: transformers models/llama/configuration_llama.py (defaults) and modeling_rope_utils.py
// (_compute_llama3_parameters); HF checkpoints rotate halves, so ropeStyle is 'halves'.
import { validateConfig, type LlamaConfig, type RopeScaling } from '../model/config.ts';
import type { LayerWeights } from '../model/weights.ts';
import type { WeightNames } from './llama-weights.ts';
import { printable } from './gguf-reader.ts';

const HF_LAYER: Record<keyof LayerWeights, string> = {
  attnNorm: 'input_layernorm', wq: 'self_attn.q_proj', wk: 'self_attn.k_proj', wv: 'self_attn.v_proj',
  wo: 'self_attn.o_proj', ffnNorm: 'post_attention_layernorm', w1: 'mlp.gate_proj', w3: 'mlp.up_proj', w2: 'mlp.down_proj',
};
export const HF_NAMES: WeightNames = {
  embedding: 'model.embed_tokens.weight',
  finalNorm: 'model.norm.weight',
  output: 'lm_head.weight',
  layer: (l, w) => `model.layers.${l}.${HF_LAYER[w]}.weight`,
};

type Json = Record<string, unknown>;

function field(j: Json, key: string, fallback?: number): number {
  const v = j[key] ?? fallback;
  if (v === undefined || v === null) throw new Error(`config.json is missing ${key}`);
  if (typeof v !== 'number') throw new Error(`config.json ${key} should be a number, found ${JSON.stringify(v)}`);
  return v;
}

function ropeScaling(j: Json): RopeScaling | null {
  const s = j.rope_scaling as Json | null | undefined;
  if (s === undefined || s === null) return null;
  const type = s.rope_type ?? s.type;
  if (type === 'default') return null;
  if (type !== 'llama3') throw new Error(`unsupported rope_scaling type "${printable(String(type))}": supported llama3`);
  return {
    type: 'llama3',
    factor: field(s, 'factor'),
    lowFreqFactor: field(s, 'low_freq_factor', 1),
    highFreqFactor: field(s, 'high_freq_factor', 4),
    originalMaxPositions: field(s, 'original_max_position_embeddings', 8192),
  };
}

/** Maps config.json; `hasLmHead`: whether the checkpoint holds its own lm_head.weight. */
export function hfConfig(json: unknown, hasLmHead: boolean): LlamaConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('config.json is not a JSON object');
  const j = json as Json;
  if (j.model_type !== 'llama') {
    throw new Error(`unsupported model_type "${printable(String(j.model_type))}" in config.json: this playground runs llama models`);
  }
  const dim = field(j, 'hidden_size');
  const nHeads = field(j, 'num_attention_heads');
  return validateConfig({
    architecture: 'llama',
    dim,
    hiddenDim: field(j, 'intermediate_size'),
    nLayers: field(j, 'num_hidden_layers'),
    nHeads,
    nKvHeads: field(j, 'num_key_value_heads', nHeads),
    headDim: field(j, 'head_dim', dim / nHeads),
    vocabSize: field(j, 'vocab_size'),
    contextLength: field(j, 'max_position_embeddings', 2048),
    normEps: field(j, 'rms_norm_eps', 1e-6),
    ropeTheta: field(j, 'rope_theta', 10000),
    ropeScaling: ropeScaling(j),
    ropeStyle: 'halves',
    // transformers' LlamaConfig defaults tie_word_embeddings to false; a checkpoint without lm_head is tied anyway
    tiedEmbeddings: j.tie_word_embeddings === true || !hasLmHead,
  });
}
