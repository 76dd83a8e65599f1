// The token embedding table as its precision stores it: f32 as loaded, or every value rounded through BF16.
// (FP8 is not offered for the embedding: the Llama 3 recipe keeps it in BF16.)
import type { LinearSpec } from '../quant/types.ts';
import { bf16ToF32, f32ToBf16 } from '../quant/bf16.ts';

export function embeddingRows(w: Float32Array, spec: LinearSpec): Float32Array {
  if (spec.dtype === 'f32') return w;
  if (spec.dtype !== 'bf16') throw new Error(`the token embedding supports f32 or bf16, not ${spec.dtype}`);
  const out = new Float32Array(w.length);
  const truncate = spec.bf16Rounding === 'truncate';
  for (let i = 0; i < w.length; i++) out[i] = bf16ToF32(f32ToBf16(w[i], truncate));
  return out;
}
