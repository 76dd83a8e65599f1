// The precision a loaded model starts in, and the check of a whole map that comes from outside (a link).
import type { PrecisionMap, PresetName } from '../quant/types.ts';
import type { LoadedModel } from '../loader/types.ts';
import { fail } from '../errors.ts';

/** What the file stores: f32 only when every matrix is F32; BF16, F16 and block-quantized files run as bf16. */
export function storedPreset(model: LoadedModel): PresetName {
  const w = model.weights;
  const all = [w.tokenEmbedding, w.output, ...w.layers.flatMap((l) => [l.wq, l.wk, l.wv, l.wo, l.w1, l.w3, l.w2])];
  return all.every((t) => t.dtype === 'F32') ? 'f32' : 'bf16';
}

/** A whole precision map from outside (a link): it must describe this model's layers. */
export function checkMap(map: PrecisionMap, nLayers: number): PrecisionMap {
  if (!Array.isArray(map.layers) || map.layers.length !== nLayers || !map.embedding || !map.output) {
    throw fail('bad-request', `that precision map does not fit this model: it has ${Array.isArray(map.layers) ? map.layers.length : 'no'} layers, the model ${nLayers}`);
  }
  return map;
}
