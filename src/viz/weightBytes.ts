// Weight bytes of a precision map, from the packing rule alone (no engine, no weights): what the views show as
// "bytes per tensor" and "memory by precision". The rule is workers/quant/pack.ts's packedBytes (f32 4 B, bf16 2 B,
// fp8 1 B per element + a 4 B scale per row, rows padded to 16 B), for the embedding as for every linear. A tied
// head stored like the embedding shares its rows (0 bytes of its own), as both engines do.
import type { LinearSpec, LlamaConfig, PrecisionMap, PresetName } from '../../workers/api.ts';
import { LAYER_MATRICES, matrixShape, type LayerMatrix, presetMap, sameSpec, packedBytes } from '../../workers/shared.ts';

export type WeightDtype = LinearSpec['dtype'];

/** Bytes of one linear W[n, k] stored as `dtype`. */
export const matrixBytes = (dtype: WeightDtype, n: number, k: number) => packedBytes(dtype, n, k);

export interface MapBytes {
  embedding: number;
  output: number; // 0 when a tied head shares the embedding's rows
  outputShared: boolean;
  layers: Record<LayerMatrix, number>[];
  total: number;
}

/** Bytes of every weight under a map (norm gains are f32 in every map and not counted, as the engines do). */
export function mapBytes(c: LlamaConfig, map: PrecisionMap): MapBytes {
  const embedding = matrixBytes(map.embedding.dtype, c.vocabSize, c.dim);
  const outputShared = c.tiedEmbeddings && sameSpec(map.embedding, map.output);
  const output = outputShared ? 0 : matrixBytes(map.output.dtype, c.vocabSize, c.dim);
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
  return { embedding, output, outputShared, layers, total };
}

/** Total weight bytes of the same model under a preset. */
export const presetBytes = (c: LlamaConfig, preset: PresetName) => mapBytes(c, presetMap(c.nLayers, preset)).total;
