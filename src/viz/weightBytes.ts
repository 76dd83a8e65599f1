// Weight bytes of a precision map, from the packing math alone (no engine, no weights): what the views show as
// "bytes per tensor" and "memory by precision". Mirrors workers/quant/pack.ts (docs/precision.md, "Packing"):
//   f32   4 B per element;
//   bf16  2 B per element, two per u32 word;
//   fp8   1 B per element, four per u32 word, plus one f32 dequant scale per row;
// and every linear's row is padded to whole vec4<u32> (16 B) so the kernels read rows with 16-byte loads.
// The token embedding is a lookup table, not a linear: f32 unpadded, or BF16 in whole u32 words per row.
import type { LinearSpec, LlamaConfig, PrecisionMap, PresetName } from '../../workers/api.ts';
import { LAYER_MATRICES, matrixShape, type LayerMatrix } from '../../workers/model/weights.ts';
import { presetMap } from '../../workers/quant/precision.ts';

const WORD = 4; // bytes per u32
const ROW_ALIGN_WORDS = 4; // a vec4<u32>

export type WeightDtype = LinearSpec['dtype'];

/** Elements per 32-bit word of a storage format. */
export const elementsPerWord = (dtype: WeightDtype) => (dtype === 'f32' ? 1 : dtype === 'bf16' ? 2 : 4);

/** Bytes of one linear W[n, k] stored as `dtype`: packed rows padded to 16 bytes, plus FP8's row scales. */
export function matrixBytes(dtype: WeightDtype, n: number, k: number): number {
  const words = Math.ceil(Math.ceil(k / elementsPerWord(dtype)) / ROW_ALIGN_WORDS) * ROW_ALIGN_WORDS;
  const scales = dtype === 'fp8e4m3' || dtype === 'fp8e5m2' ? n * 4 : 0;
  return n * words * WORD + scales;
}

/** Bytes of the token embedding [vocab, dim]: f32 as loaded, or BF16 in whole u32 words per row. */
export function embeddingBytes(dtype: WeightDtype, vocab: number, dim: number): number {
  if (dtype === 'f32') return vocab * dim * 4;
  if (dtype === 'bf16') return vocab * Math.ceil(dim / 2) * WORD;
  throw new Error(`the token embedding is f32 or bf16, not ${dtype}`);
}

export interface MapBytes {
  embedding: number;
  output: number; // the head is packed on its own even when tied to the embedding
  layers: Record<LayerMatrix, number>[];
  total: number;
}

/** Bytes of every weight under a map (norm gains are f32 in every map and not counted, as the engine does). */
export function mapBytes(c: LlamaConfig, map: PrecisionMap): MapBytes {
  const embedding = embeddingBytes(map.embedding.dtype, c.vocabSize, c.dim);
  const output = matrixBytes(map.output.dtype, c.vocabSize, c.dim);
  let total = embedding + output;
  const layers = map.layers.map((row) => {
    const out = {} as Record<LayerMatrix, number>;
    for (const m of LAYER_MATRICES) {
      const [n, k] = matrixShape(c, m);
      out[m] = matrixBytes(row[m].dtype, n, k);
      total += out[m];
    }
    return out;
  });
  return { embedding, output, layers, total };
}

/** Total weight bytes of the same model under a preset. */
export const presetBytes = (c: LlamaConfig, preset: PresetName) => mapBytes(c, presetMap(c.nLayers, preset)).total;
