// Assembles LlamaWeights from a file's tensors, whatever the file format calls them, checking every shape and
// storage type before anything is read. Matrices stay references into the file (model/tensor.ts); the norm gains
// (a few KB) are read now.
// Reference: llama2.c run.c memory_map_weights (the same walk: embedding, per-layer matrices, final norm, head).
import type { LlamaConfig } from '../model/config.ts';
import { matrixShape, type LayerWeights, type LlamaWeights } from '../model/weights.ts';
import { readF32, type WeightTensor } from '../model/tensor.ts';
import { GGML_BLOCK, SUPPORTED_DTYPES } from './dtypes.ts';
import { printable } from './gguf-reader.ts';

/** How one file format names the weights. */
export interface WeightNames {
  embedding: string;
  finalNorm: string;
  output: string;
  layer(l: number, w: keyof LayerWeights): string;
}

/** A tensor of the file as [rows n, cols k] (a vector is one row), or null when the file lacks it. */
export type FindTensor = (name: string) => WeightTensor | null;

/** The message a loader throws when a tensor's shape disagrees with the config. */
export function shapeError(name: string, got: number[], want: number[]): Error {
  return new Error(`tensor ${name} has shape [${got.join(', ')}], expected [${want.join(', ')}] from the model config`);
}

/** Checks that t is [n, k] and stored in a type the engines convert (whole blocks per row for block types). */
export function checkTensor(t: WeightTensor, n: number, k: number): WeightTensor {
  if (t.n !== n || t.k !== k) throw shapeError(printable(t.name), n === 1 ? [t.n * t.k] : [t.n, t.k], n === 1 ? [k] : [n, k]);
  if (!(SUPPORTED_DTYPES as readonly string[]).includes(t.dtype)) {
    throw new Error(`unsupported tensor type ${printable(t.dtype)} for ${printable(t.name)}: supported ${SUPPORTED_DTYPES.join(', ')}`);
  }
  const block = GGML_BLOCK[t.dtype]?.[0] ?? 1;
  if (k % block !== 0) throw new Error(`corrupt model: ${t.dtype} tensor ${printable(t.name)} has rows of ${k}, not whole blocks of ${block}`);
  return t;
}

export async function assembleWeights(c: LlamaConfig, names: WeightNames, find: FindTensor): Promise<LlamaWeights> {
  const need = (name: string, [n, k]: [number, number]) => {
    const t = find(name);
    if (!t) throw new Error(`model file is missing tensor ${name}`);
    return checkTensor(t, n, k);
  };
  const norm = (name: string) => readF32(need(name, [1, c.dim]));
  const tokenEmbedding = need(names.embedding, [c.vocabSize, c.dim]);
  const layers: LayerWeights[] = [];
  for (let l = 0; l < c.nLayers; l++) {
    const m = (w: 'wq' | 'wk' | 'wv' | 'wo' | 'w1' | 'w2' | 'w3') => need(names.layer(l, w), matrixShape(c, w));
    layers.push({
      attnNorm: await norm(names.layer(l, 'attnNorm')),
      wq: m('wq'), wk: m('wk'), wv: m('wv'), wo: m('wo'),
      ffnNorm: await norm(names.layer(l, 'ffnNorm')),
      w1: m('w1'), w3: m('w3'), w2: m('w2'),
    });
  }
  const finalNorm = await norm(names.finalNorm);
  // a tied model reuses the embedding table as the output head (the same tensor: engines share its packing)
  const output = c.tiedEmbeddings ? tokenEmbedding : need(names.output, [c.vocabSize, c.dim]);
  return { tokenEmbedding, layers, finalNorm, output };
}
