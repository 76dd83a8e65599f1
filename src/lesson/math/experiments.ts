// The FP8 chapter's experiments: the Llama 3 recipe (arXiv:2407.21783 §6.2) and the same recipe with one choice
// undone at a time, as precision maps built from the preset with overrides (workers/quant/precision.ts), so the
// engine measures exactly what each choice buys on the lesson's text.
import type { PrecisionMap } from '../../../workers/api.ts';
import { applyOverride, presetMap } from '../../../workers/shared.ts';

export interface Experiment {
  id: string;
  name: string;
  /** What changes against the recipe, in a student's words. */
  what: string;
  map: PrecisionMap;
}

const FFN = ['w1', 'w3', 'w2'] as const;

export function experiments(nLayers: number): Experiment[] {
  const recipe = presetMap(nLayers, 'fp8-llama3');
  const onFfn = (spec: Parameters<typeof applyOverride>[1]['spec']) =>
    FFN.reduce((m, matrix) => {
      // only the layers the recipe quantizes: 1 … L−2 (the others stay BF16)
      let out = m;
      for (let l = 1; l <= nLayers - 2; l++) out = applyOverride(out, { layer: l, matrix, spec });
      return out;
    }, recipe);
  const list: Experiment[] = [
    { id: 'recipe', name: 'Llama 3 recipe', what: 'FFN of the middle layers in FP8 E4M3, one scale per row, inputs bounded at 1200', map: recipe },
    { id: 'no-bound', name: 'No 1200 bound', what: 'the same, but an input row’s scale comes from its largest value however large', map: onFfn({ actBound: null }) },
    { id: 'tensor', name: 'Tensor-wise scales', what: 'one scale for a whole weight matrix instead of one per row', map: onFfn({ scale: 'tensor' }) },
  ];
  if (nLayers >= 2) {
    let ends = recipe;
    for (const l of [0, nLayers - 1]) for (const matrix of FFN) ends = applyOverride(ends, { layer: l, matrix, spec: { dtype: 'fp8e4m3', scale: 'row', act: 'fp8e4m3', actBound: 1200 } });
    list.push({ id: 'ends', name: 'First and last layer in FP8', what: 'the recipe keeps them in BF16; here their FFN is FP8 too', map: ends });
  }
  return list;
}
