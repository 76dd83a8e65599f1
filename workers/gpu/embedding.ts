// The token embedding as the GPU stores it: f32 words, or BF16 pairs (two per u32, low half first, rows padded).
import type { LinearSpec } from '../quant/types.ts';
import { f32ToBf16 } from '../quant/bf16.ts';

export function packEmbedding(w: Float32Array, vocab: number, dim: number, spec: LinearSpec): Uint32Array {
  if (spec.dtype === 'f32') return new Uint32Array(w.buffer, w.byteOffset, w.length);
  if (spec.dtype !== 'bf16') throw new Error(`the token embedding supports f32 or bf16, not ${spec.dtype}`);
  const words = Math.ceil(dim / 2);
  const out = new Uint32Array(vocab * words);
  const truncate = spec.bf16Rounding === 'truncate';
  for (let r = 0; r < vocab; r++) {
    for (let j = 0; j < dim; j++) {
      const h = f32ToBf16(w[r * dim + j], truncate);
      out[r * words + (j >> 1)] |= (j & 1) ? h << 16 : h;
    }
  }
  return out;
}
