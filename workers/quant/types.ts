// The vocabulary of precision: storage formats, how one matrix is quantized, and the per-layer map.
// Definitions of the presets follow docs/precision.md (the Llama 3 recipe, arXiv:2407.21783 §6.2).
import type { LayerMatrix } from '../model/weights.ts';

/** Storage format of a weight matrix on the GPU (and in the CPU twin). */
export type WeightDtype = 'f32' | 'bf16' | 'fp8e4m3' | 'fp8e5m2';
export const WEIGHT_DTYPES: readonly WeightDtype[] = ['f32', 'bf16', 'fp8e4m3', 'fp8e5m2'];

/** How one linear layer y = W x is stored and computed. */
export interface LinearSpec {
  dtype: WeightDtype;
  /** FP8 only: one scale per output row (Llama 3) or one for the whole tensor. */
  scale: 'row' | 'tensor';
  /** FP8 only: also quantize the input activations, per token row, to this format (null: keep f32). */
  act: 'fp8e4m3' | 'fp8e5m2' | null;
  /** Upper bound on the activation row amax before scaling (Llama 3 / FBGEMM scale_ub = 1200); null: unbounded. */
  actBound: number | null;
  /** BF16 only: round to nearest even (default) or truncate the low 16 bits (for teaching). */
  bf16Rounding: 'nearest' | 'truncate';
}

export const PRESETS = ['f32', 'bf16', 'fp8-llama3', 'fp8-all'] as const;
export type PresetName = (typeof PRESETS)[number];

/** Per-layer, per-matrix formats: what the quantization map shows and edits. */
export interface PrecisionMap {
  /** The preset this map came from; 'custom' once any override was applied. */
  preset: PresetName | 'custom';
  embedding: LinearSpec; // token embedding table (f32 or bf16)
  output: LinearSpec; // output head
  layers: Record<LayerMatrix, LinearSpec>[];
}

/** One edit of the map: a cell (layer+matrix), a row (layer), a column (matrix) or the embedding/head. */
export interface PrecisionOverride {
  layer?: number; // omitted: every layer
  matrix?: LayerMatrix | 'embedding' | 'output'; // omitted: every matrix of the layer(s)
  spec: Partial<LinearSpec>;
}
