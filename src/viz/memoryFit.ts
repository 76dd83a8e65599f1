// Memory fit: how many bytes a Llama needs for its weights and KV cache, and how many H100 nodes that takes.
// Shapes: "The Llama 3 Herd of Models" (arXiv:2407.21783) Table 3. FP8 recipe: section 6.2 — the FFN matrices
// w1, w3, w2 of every layer but the first and the last are FP8 (E4M3) with one f32 scale per output row;
// attention, norms, embeddings and the output head stay BF16. Pure computation: no engine needed.
import type { LlamaConfig } from '../../workers/api.ts';

/** The parts of a model config the byte count needs (a loaded model's LlamaConfig fits). */
export type ModelShape = Pick<
  LlamaConfig,
  'dim' | 'hiddenDim' | 'nLayers' | 'nHeads' | 'nKvHeads' | 'headDim' | 'vocabSize' | 'tiedEmbeddings'
>;

const llama31 = (nLayers: number, dim: number, hiddenDim: number, nHeads: number): ModelShape => ({
  dim,
  hiddenDim,
  nLayers,
  nHeads,
  nKvHeads: 8,
  headDim: dim / nHeads, // 128 for all three
  vocabSize: 128_256,
  tiedEmbeddings: false,
});

/** Llama 3.1 8B / 70B / 405B (Table 3; vocab 128,256; untied embeddings; context 128K). */
export const LLAMA31: Record<'8B' | '70B' | '405B', ModelShape> = {
  '8B': llama31(32, 4096, 14_336, 32),
  '70B': llama31(80, 8192, 28_672, 64),
  '405B': llama31(126, 16_384, 53_248, 128),
};

/** One H100 SXM has 80 GB of HBM3; a node has 8 (decimal GB, as GPU memory is quoted). */
export const H100 = { bytes: 80e9, perNode: 8 } as const;
export const NODE_BYTES = H100.bytes * H100.perNode;

export type Recipe = 'bf16' | 'fp8';

export interface WeightBytes {
  embeddings: number; // token embedding + output head (one table when tied)
  attention: number; // wq, wk, wv, wo of all layers
  ffn: number; // w1, w3, w2 of all layers (FP8 codes + row scales where the recipe says so)
  norms: number; // the two RMSNorm gains per layer + the final norm
  total: number;
  params: number;
  /** Parameters stored in FP8 (0 for BF16). */
  fp8Params: number;
}

const BF16 = 2;
const FP8 = 1;
const F32 = 4;

export function weightBytes(m: ModelShape, recipe: Recipe): WeightBytes {
  const q = m.nHeads * m.headDim;
  const kv = m.nKvHeads * m.headDim;
  const attnParams = m.nLayers * (q * m.dim + 2 * kv * m.dim + m.dim * q);
  const ffnPerLayer = 3 * m.hiddenDim * m.dim;
  const ffnRowsPerLayer = 2 * m.hiddenDim + m.dim; // output rows of w1, w3 (hiddenDim each) and w2 (dim)
  const fp8Layers = recipe === 'fp8' ? Math.max(0, m.nLayers - 2) : 0; // layers 1 .. L-2
  const embParams = m.vocabSize * m.dim * (m.tiedEmbeddings ? 1 : 2);
  const normParams = m.nLayers * 2 * m.dim + m.dim;

  const embeddings = embParams * BF16;
  const attention = attnParams * BF16;
  const ffn =
    (m.nLayers - fp8Layers) * ffnPerLayer * BF16 + fp8Layers * (ffnPerLayer * FP8 + ffnRowsPerLayer * F32);
  const norms = normParams * BF16;
  return {
    embeddings,
    attention,
    ffn,
    norms,
    total: embeddings + attention + ffn + norms,
    params: embParams + attnParams + m.nLayers * ffnPerLayer + normParams,
    fp8Params: fp8Layers * ffnPerLayer,
  };
}

/** K and V for every layer, KV head, position and sequence: 2 * layers * kvHeads * headDim * context * batch * bytes. */
export function kvCacheBytes(m: ModelShape, context: number, batch: number, bytesPerValue = BF16): number {
  return 2 * m.nLayers * m.nKvHeads * m.headDim * context * batch * bytesPerValue;
}

export interface Fit {
  weights: WeightBytes;
  kvCache: number;
  total: number;
  /** H100s needed to hold it (memory only; activations and workspace not counted). */
  gpus: number;
  nodes: number;
}

export function memoryFit(m: ModelShape, recipe: Recipe, context: number, batch: number): Fit {
  const weights = weightBytes(m, recipe);
  const kvCache = kvCacheBytes(m, context, batch);
  const total = weights.total + kvCache;
  const gpus = Math.max(1, Math.ceil(total / H100.bytes));
  return { weights, kvCache, total, gpus, nodes: Math.ceil(gpus / H100.perNode) };
}
