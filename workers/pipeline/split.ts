// Pipeline parallelism: the layers cut into contiguous stages, one stage per device, activations flowing from
// stage to stage (Llama 3 paper, arXiv:2407.21783 §6.1; GPipe, Huang et al. 2019, arXiv:1811.06965).
// This file says which layers a stage runs and which weights it needs for them.
import type { LlamaConfig } from '../model/config.ts';
import type { LayerWeights, LlamaWeights } from '../model/weights.ts';

/** The part of the model one forward runs: layers [l0, l1), and KV-cache slots for that many sequences. */
export interface ForwardPart {
  l0: number;
  l1: number;
  /** Sequences with a KV cache of their own (the micro-batches in flight). */
  slots: number;
}

/** The whole model, one sequence: what the single-engine forward runs. */
export function wholeModel(c: LlamaConfig, part: Partial<ForwardPart> = {}): ForwardPart {
  const p = { l0: 0, l1: c.nLayers, slots: 1, ...part };
  if (!(Number.isInteger(p.l0) && Number.isInteger(p.l1) && p.l0 >= 0 && p.l0 < p.l1 && p.l1 <= c.nLayers)) {
    throw new Error(`layers [${p.l0}, ${p.l1}) are not a range of this model's ${c.nLayers} layers`);
  }
  if (!(Number.isInteger(p.slots) && p.slots >= 1)) throw new Error(`a forward needs at least one KV-cache slot, got ${p.slots}`);
  return p;
}

/** The first part embeds tokens; the last ends with the final norm and the output head. */
export const isFirst = (p: ForwardPart) => p.l0 === 0;
export const isLast = (c: LlamaConfig, p: ForwardPart) => p.l1 === c.nLayers;

/** Most stages the UI offers (one per GPU of an 8-GPU node), and never more than the layers. */
export const MAX_STAGES = 8;
export const maxStages = (nLayers: number) => Math.max(1, Math.min(MAX_STAGES, nLayers));

/** Contiguous [l0, l1) per stage, as even as possible; earlier stages take the extra layer when it does not divide. */
export function splitLayers(nLayers: number, stages: number): [number, number][] {
  if (!(Number.isInteger(stages) && stages >= 1 && stages <= nLayers)) {
    throw new Error(`${stages} pipeline stages for ${nLayers} layers: pick 1 to ${nLayers}`);
  }
  const out: [number, number][] = [];
  let l0 = 0;
  for (let s = 0; s < stages; s++) {
    const n = Math.floor(nLayers / stages) + (s < nLayers % stages ? 1 : 0);
    out.push([l0, l0 + n]);
    l0 += n;
  }
  return out;
}

/** What one stage is sent: its layers (in order, from l0) and the embedding/head only where it runs them. */
export interface StageWeights {
  l0: number;
  layers: LayerWeights[];
  tokenEmbedding: Float32Array | null; // first stage
  finalNorm: Float32Array | null; // last stage
  output: Float32Array | null; // last stage
}

/**
 * The weights of layers [l0, l1) out of the master weights. With `copy`, every array is copied once into a buffer
 * of its own, so it can be transferred to the stage's worker (the masters stay with the engine); the list of those
 * buffers is returned for comlink's transfer().
 */
export function sliceWeights(c: LlamaConfig, w: LlamaWeights, l0: number, l1: number, copy: boolean): { weights: StageWeights; buffers: ArrayBuffer[] } {
  const buffers: ArrayBuffer[] = [];
  const copies = new Map<Float32Array, Float32Array>(); // a tied head is the embedding: copy it once
  const take = (a: Float32Array): Float32Array => {
    if (!copy) return a;
    let b = copies.get(a);
    if (!b) {
      b = a.slice();
      copies.set(a, b);
      buffers.push(b.buffer as ArrayBuffer);
    }
    return b;
  };
  const layers = w.layers.slice(l0, l1).map((lw) => {
    const out = {} as LayerWeights;
    for (const k of Object.keys(lw) as (keyof LayerWeights)[]) out[k] = take(lw[k]);
    return out;
  });
  const last = l1 === c.nLayers;
  const weights: StageWeights = {
    l0,
    layers,
    tokenEmbedding: l0 === 0 ? take(w.tokenEmbedding) : null,
    finalNorm: last ? take(w.finalNorm) : null,
    output: last ? take(w.output) : null,
  };
  return { weights, buffers };
}

const ABSENT = new Float32Array(0);

/**
 * A stage's weights shaped as LlamaWeights, so the forwards read `layers[l]` for l in [l0, l1) as they do for the
 * whole model. Layers outside the stage are holes in the array; tensors the stage never reads are empty.
 */
export function asLlamaWeights(s: StageWeights): LlamaWeights {
  const layers: LayerWeights[] = [];
  s.layers.forEach((lw, i) => { layers[s.l0 + i] = lw; });
  return { tokenEmbedding: s.tokenEmbedding ?? ABSENT, layers, finalNorm: s.finalNorm ?? ABSENT, output: s.output ?? ABSENT };
}
