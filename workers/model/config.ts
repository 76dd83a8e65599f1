// The model's hyperparameters, named as in llama2.c / the Llama 3 paper (Table 3).
// Every loader (GGUF, Hugging Face config.json) produces exactly this.

/** Llama 3.1 `rope_scaling` with rope_type "llama3" (arXiv:2407.21783; meta-llama/llama-models apply_scaling). */
export interface RopeScaling {
  type: 'llama3';
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalMaxPositions: number;
}

/**
 * How RoPE pairs dimensions inside a head:
 * - 'interleaved': (x[2i], x[2i+1]) — llama2.c and every GGUF (llama.cpp permutes Q/K rows at conversion);
 * - 'halves': (x[i], x[i + headDim/2]) — Hugging Face Llama checkpoints.
 */
export type RopeStyle = 'interleaved' | 'halves';

export interface LlamaConfig {
  architecture: string; // 'llama'
  dim: number; // model width
  hiddenDim: number; // FFN width
  nLayers: number;
  nHeads: number;
  nKvHeads: number; // GQA: nKvHeads <= nHeads, nHeads % nKvHeads == 0
  headDim: number; // usually dim / nHeads
  vocabSize: number;
  contextLength: number; // max positions
  normEps: number; // RMSNorm epsilon
  ropeTheta: number;
  ropeScaling: RopeScaling | null;
  ropeStyle: RopeStyle;
  tiedEmbeddings: boolean; // output head shares the token embedding
}

export const kvDim = (c: LlamaConfig) => c.nKvHeads * c.headDim;
export const qDim = (c: LlamaConfig) => c.nHeads * c.headDim;

/** Checks the invariants every engine relies on; throws a one-line message naming the bad field. */
export function validateConfig(c: LlamaConfig): LlamaConfig {
  const positive = ['dim', 'hiddenDim', 'nLayers', 'nHeads', 'nKvHeads', 'headDim', 'vocabSize', 'contextLength'] as const;
  for (const k of positive) {
    const v = c[k];
    if (!Number.isInteger(v) || v <= 0 || v > 1 << 24) throw new Error(`invalid model config: ${k} = ${v}`);
  }
  if (c.nHeads % c.nKvHeads !== 0) throw new Error(`invalid model config: nHeads ${c.nHeads} is not a multiple of nKvHeads ${c.nKvHeads}`);
  if (c.headDim % 2 !== 0) throw new Error(`invalid model config: headDim ${c.headDim} must be even for RoPE`);
  if (!(c.normEps > 0 && c.normEps < 1)) throw new Error(`invalid model config: normEps = ${c.normEps}`);
  if (!(c.ropeTheta > 0)) throw new Error(`invalid model config: ropeTheta = ${c.ropeTheta}`);
  return c;
}
