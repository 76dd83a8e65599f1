// Assembles LlamaWeights from a file's tensors, whatever the file format calls them, checking every shape.
// Reference: llama2.c run.c memory_map_weights (the same walk: embedding, per-layer matrices, final norm, head).
import type { LlamaConfig } from '../model/config.ts';
import { matrixShape, type LayerWeights, type LlamaWeights } from '../model/weights.ts';
import type { ProgressFn } from './types.ts';

/** How one file format names the weights. */
export interface WeightNames {
  embedding: string;
  finalNorm: string;
  output: string;
  layer(l: number, w: keyof LayerWeights): string;
}

/** Reads one tensor as f32 given the shape the config expects (outermost first); null when the file lacks it. */
export type ReadTensor = (name: string, shape: number[]) => Float32Array | null;

/** The message a loader throws when a tensor's shape disagrees with the config. */
export function shapeError(name: string, got: number[], want: number[]): Error {
  return new Error(`tensor ${name} has shape [${got.join(', ')}], expected [${want.join(', ')}] from the model config`);
}

export function assembleWeights(c: LlamaConfig, names: WeightNames, read: ReadTensor, onProgress?: ProgressFn): LlamaWeights {
  const need = (name: string, shape: number[]) => {
    const t = read(name, shape);
    if (!t) throw new Error(`model file is missing tensor ${name}`);
    return t;
  };
  const tokenEmbedding = need(names.embedding, [c.vocabSize, c.dim]);
  const layers: LayerWeights[] = [];
  for (let l = 0; l < c.nLayers; l++) {
    const m = (w: 'wq' | 'wk' | 'wv' | 'wo' | 'w1' | 'w2' | 'w3') => need(names.layer(l, w), matrixShape(c, w));
    layers.push({
      attnNorm: need(names.layer(l, 'attnNorm'), [c.dim]),
      wq: m('wq'), wk: m('wk'), wv: m('wv'), wo: m('wo'),
      ffnNorm: need(names.layer(l, 'ffnNorm'), [c.dim]),
      w1: m('w1'), w3: m('w3'), w2: m('w2'),
    });
    onProgress?.({ phase: 'parse', loaded: l + 1, total: c.nLayers });
  }
  const finalNorm = need(names.finalNorm, [c.dim]);
  // a tied model reuses the embedding table as the output head (same array, not a copy)
  const output = c.tiedEmbeddings ? tokenEmbedding : need(names.output, [c.vocabSize, c.dim]);
  return { tokenEmbedding, layers, finalNorm, output };
}
