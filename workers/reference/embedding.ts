// The token embedding table as its precision stores it: f32 as loaded, or every value rounded through BF16.
// (FP8 is not offered for the embedding: the Llama 3 recipe keeps it in BF16.)
import type { LinearSpec } from '../quant/types.ts';
import { roundBf16Array } from '../quant/bf16.ts';

export function embeddingRows(w: Float32Array, spec: LinearSpec): Float32Array {
  if (spec.dtype === 'f32') return w;
  if (spec.dtype !== 'bf16') throw new Error(`the token embedding supports f32 or bf16, not ${spec.dtype}`);
  return roundBf16Array(w, spec.bf16Rounding === 'truncate');
}
