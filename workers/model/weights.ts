// The model's weights (llama2.c's TransformerWeights): the matrices as references into the file, typed by what
// the file stores (model/tensor.ts), read when an engine packs them; the norm gains, a few KB, as f32 arrays.
// Matrices are row-major W[n, k]: n output rows of k inputs, so y = W x reads one contiguous row per output.
import type { LlamaConfig } from './config.ts';
import type { WeightTensor } from './tensor.ts';

export interface LayerWeights {
  attnNorm: Float32Array; // (dim)
  wq: WeightTensor; // (nHeads*headDim, dim)
  wk: WeightTensor; // (nKvHeads*headDim, dim)
  wv: WeightTensor; // (nKvHeads*headDim, dim)
  wo: WeightTensor; // (dim, nHeads*headDim)
  ffnNorm: Float32Array; // (dim)
  w1: WeightTensor; // (hiddenDim, dim)  gate
  w3: WeightTensor; // (hiddenDim, dim)  up
  w2: WeightTensor; // (dim, hiddenDim)  down
}

export interface LlamaWeights {
  tokenEmbedding: WeightTensor; // (vocabSize, dim)
  layers: LayerWeights[];
  finalNorm: Float32Array; // (dim)
  output: WeightTensor; // (vocabSize, dim); the same object as tokenEmbedding when tied
}

/** The matrices a precision map can choose a format for, in the order the views draw them. */
export const LAYER_MATRICES = ['wq', 'wk', 'wv', 'wo', 'w1', 'w3', 'w2'] as const;
export type LayerMatrix = (typeof LAYER_MATRICES)[number];

/** Shape [rows n, cols k] of a layer matrix. */
export function matrixShape(c: LlamaConfig, m: LayerMatrix): [number, number] {
  const q = c.nHeads * c.headDim;
  const kv = c.nKvHeads * c.headDim;
  switch (m) {
    case 'wq': return [q, c.dim];
    case 'wk': return [kv, c.dim];
    case 'wv': return [kv, c.dim];
    case 'wo': return [c.dim, q];
    case 'w1': return [c.hiddenDim, c.dim];
    case 'w3': return [c.hiddenDim, c.dim];
    case 'w2': return [c.dim, c.hiddenDim];
  }
}

export function countParams(c: LlamaConfig): number {
  let perLayer = 2 * c.dim; // the two RMSNorm gains
  for (const m of LAYER_MATRICES) { const [r, k] = matrixShape(c, m); perLayer += r * k; }
  return c.vocabSize * c.dim * (c.tiedEmbeddings ? 1 : 2) + c.nLayers * perLayer + c.dim;
}
