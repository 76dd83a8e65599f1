// The model's weights as master f32 arrays, as loaded from the file (llama2.c's TransformerWeights).
// Matrices are row-major W[n, k]: n output rows of k inputs, so y = W x reads one contiguous row per output.
// Precision changes re-pack from these masters; nothing re-reads the file.
import type { LlamaConfig } from './config.ts';

export interface LayerWeights {
  attnNorm: Float32Array; // (dim)
  wq: Float32Array; // (nHeads*headDim, dim)
  wk: Float32Array; // (nKvHeads*headDim, dim)
  wv: Float32Array; // (nKvHeads*headDim, dim)
  wo: Float32Array; // (dim, nHeads*headDim)
  ffnNorm: Float32Array; // (dim)
  w1: Float32Array; // (hiddenDim, dim)  gate
  w3: Float32Array; // (hiddenDim, dim)  up
  w2: Float32Array; // (dim, hiddenDim)  down
}

export interface LlamaWeights {
  tokenEmbedding: Float32Array; // (vocabSize, dim)
  layers: LayerWeights[];
  finalNorm: Float32Array; // (dim)
  output: Float32Array; // (vocabSize, dim); the same array as tokenEmbedding when tied
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
