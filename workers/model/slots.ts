// The weight matrices one forward part packs, each with the spec the precision map gives it: the list both engines
// walk to load, to re-pack what a new map changed, and to count bytes. A tied head whose spec equals the
// embedding's is not a slot of its own: it reads the embedding's packed rows (one copy, on the CPU and the GPU).
import type { LlamaConfig } from './config.ts';
import type { WeightTensor } from './tensor.ts';
import { LAYER_MATRICES, matrixShape, type LayerMatrix, type LlamaWeights } from './weights.ts';
import type { LinearSpec, PrecisionMap } from '../quant/types.ts';
import { sameSpec } from '../quant/precision.ts';
import { packedBytes } from '../quant/pack.ts';
import { isFirst, isLast, type ForwardPart } from '../pipeline/split.ts';

export interface WeightSlot {
  label: string; // "embedding", "L3.w1", "output": the name in the views, the GPU labels and numerics()
  tensor: WeightTensor;
  spec: LinearSpec;
  n: number;
  k: number;
}

/** The head shares the embedding's packed rows: tied, both in this part, stored the same way. */
export const headSharesEmbedding = (c: LlamaConfig, map: PrecisionMap, part: ForwardPart) =>
  c.tiedEmbeddings && isFirst(part) && isLast(c, part) && sameSpec(map.embedding, map.output);

export function weightSlots(c: LlamaConfig, w: LlamaWeights, map: PrecisionMap, part: ForwardPart): WeightSlot[] {
  const out: WeightSlot[] = [];
  if (isFirst(part)) out.push({ label: 'embedding', tensor: w.tokenEmbedding, spec: map.embedding, n: c.vocabSize, k: c.dim });
  for (let l = part.l0; l < part.l1; l++) {
    for (const m of LAYER_MATRICES) {
      const [n, k] = matrixShape(c, m);
      out.push({ label: `L${l}.${m}`, tensor: w.layers[l][m], spec: map.layers[l][m], n, k });
    }
  }
  if (isLast(c, part) && !headSharesEmbedding(c, map, part)) out.push({ label: 'output', tensor: w.output, spec: map.output, n: c.vocabSize, k: c.dim });
  return out;
}

/** The spec a label has in a map ("embedding", "output", "L3.w1"). */
export function specOf(map: PrecisionMap, label: string): LinearSpec {
  if (label === 'embedding') return map.embedding;
  if (label === 'output') return map.output;
  const [, l, m] = /^L(\d+)\.(\w+)$/.exec(label) ?? [];
  const spec = map.layers[Number(l)]?.[m as LayerMatrix];
  if (!spec) throw new Error(`no tensor named ${label}: use labels like L0.wq or output`);
  return spec;
}

/** Weight bytes a part holds under a map, as both engines pack them (GPU exactly; the CPU keeps BF16 files' f32 as bf16). */
export function slotBytes(c: LlamaConfig, w: LlamaWeights, map: PrecisionMap, part: ForwardPart): number {
  return weightSlots(c, w, map, part).reduce((b, s) => b + packedBytes(s.spec.dtype, s.n, s.k), 0);
}
