// Per-tensor numerics of the current precision map: what quantizing each matrix did to its values
// (amax, scale, clipped, underflow, NaN). Computed from the master weights, so every engine reports the same.
import type { LlamaConfig } from './config.ts';
import { LAYER_MATRICES, matrixShape, type LlamaWeights } from './weights.ts';
import type { PrecisionMap } from '../quant/types.ts';
import { packMatrix } from '../quant/pack.ts';
import { quantStats } from '../quant/stats.ts';

export interface TensorNumerics {
  label: string; // e.g. "L3.w1"
  dtype: string;
  bytes: number;
  amax: number;
  scale: number;
  clipped: number;
  underflow: number;
  nan: number;
}

export function tensorNumerics(c: LlamaConfig, w: LlamaWeights, map: PrecisionMap): TensorNumerics[] {
  const e = map.embedding;
  const out: TensorNumerics[] = [{
    // stored as workers/gpu/embedding.ts packs it: f32 words, or BF16 pairs
    label: 'embedding', dtype: e.dtype, bytes: c.vocabSize * (e.dtype === 'bf16' ? Math.ceil(c.dim / 2) : c.dim) * 4,
    ...quantStats(w.tokenEmbedding, c.vocabSize, c.dim, e.dtype),
  }];
  w.layers.forEach((lw, l) => {
    for (const m of LAYER_MATRICES) {
      const [n, k] = matrixShape(c, m);
      const spec = map.layers[l][m];
      const p = packMatrix(lw[m], n, k, spec);
      out.push({ label: `L${l}.${m}`, dtype: spec.dtype, bytes: p.bytes, ...p.stats });
    }
  });
  const head = packMatrix(w.output, c.vocabSize, c.dim, map.output);
  out.push({ label: 'output', dtype: map.output.dtype, bytes: head.bytes, ...head.stats });
  return out;
}
