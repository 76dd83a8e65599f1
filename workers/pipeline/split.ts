// Pipeline parallelism: the layers cut into contiguous stages, one stage per device, activations flowing from
// stage to stage (Llama 3 paper, arXiv:2407.21783 §6.1; GPipe, Huang et al. 2019, arXiv:1811.06965).
// This file says which layers a stage runs and which weights it needs for them.
import type { LlamaConfig } from '../model/config.ts';
import { LAYER_MATRICES, type LayerMatrix, type LayerWeights, type LlamaWeights } from '../model/weights.ts';
import { storedBytes, type WeightTensor } from '../model/tensor.ts';
import { openSource, type ByteSource, type SourceRef } from '../loader/source.ts';

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

/** A weight tensor as it crosses to a stage's worker: where its bytes are (structured-cloneable), not the bytes. */
export type TensorRef = Omit<WeightTensor, 'source'> & { source: SourceRef };

/** What one stage is sent: its layers (in order, from l0) and the embedding/head only where it runs them. */
export interface StageWeights {
  l0: number;
  layers: (Pick<LayerWeights, 'attnNorm' | 'ffnNorm'> & Record<LayerMatrix, TensorRef>)[];
  tokenEmbedding: TensorRef | null; // first stage
  finalNorm: Float32Array | null; // last stage
  output: TensorRef | null; // last stage
}

/**
 * The weights of layers [l0, l1) as references a stage opens itself: a Blob or a URL is shared as it is (each
 * stage reads its own tensors by range); a file in memory is cut into the stage's tensors, copied once each, and
 * those copies are returned for comlink's transfer(). Norm gains are copied when `copy` (a worker takes them).
 */
export function sliceWeights(c: LlamaConfig, w: LlamaWeights, l0: number, l1: number, copy: boolean): { weights: StageWeights; buffers: ArrayBuffer[] } {
  const buffers: ArrayBuffer[] = [];
  const refs = new Map<WeightTensor, TensorRef>(); // a tied head is the embedding: one reference
  const ref = (t: WeightTensor): TensorRef => {
    let r = refs.get(t);
    if (!r) {
      const { source, ...rest } = t;
      if (!source.ref) throw new Error(`${source.name} cannot be opened by a pipeline stage's worker: load the model from a file or URL`);
      if (source.ref.kind === 'memory') {
        const bytes = source.ref.bytes.slice(t.offset, t.offset + storedBytes(t));
        buffers.push(bytes.buffer);
        r = { ...rest, offset: 0, source: { kind: 'memory', name: source.name, bytes } };
      } else {
        r = { ...rest, source: source.ref };
      }
      refs.set(t, r);
    }
    return r;
  };
  const norm = (a: Float32Array) => {
    if (!copy) return a;
    const b = a.slice();
    buffers.push(b.buffer);
    return b;
  };
  const layers = w.layers.slice(l0, l1).map((lw) => ({
    attnNorm: norm(lw.attnNorm), ffnNorm: norm(lw.ffnNorm),
    ...Object.fromEntries(LAYER_MATRICES.map((m) => [m, ref(lw[m])])) as Record<LayerMatrix, TensorRef>,
  }));
  const last = l1 === c.nLayers;
  const weights: StageWeights = {
    l0,
    layers,
    tokenEmbedding: l0 === 0 ? ref(w.tokenEmbedding) : null,
    finalNorm: last ? norm(w.finalNorm) : null,
    output: last ? ref(w.output) : null,
  };
  return { weights, buffers };
}

const ABSENT = new Float32Array(0);

/** Reopens a reference (in the stage's worker); references to the same file share one opened source. */
function opener() {
  const opened = new Map<unknown, ByteSource>();
  return (r: TensorRef | null): WeightTensor => {
    if (!r) return ABSENT_TENSOR;
    const key = r.source.kind === 'memory' ? r.source.bytes : r.source.kind === 'blob' ? r.source.blob : r.source.url;
    let source = opened.get(key);
    if (!source) opened.set(key, (source = openSource(r.source)));
    return { ...r, source };
  };
}

const ABSENT_TENSOR: WeightTensor = { name: 'absent', dtype: 'F32', n: 0, k: 0, source: openSource({ kind: 'memory', name: 'absent', bytes: new Uint8Array(0) }), offset: 0 };

/**
 * A stage's weights shaped as LlamaWeights, so the forwards read `layers[l]` for l in [l0, l1) as they do for the
 * whole model. Layers outside the stage are holes in the array; tensors the stage never reads are empty.
 */
export function asLlamaWeights(s: StageWeights): LlamaWeights {
  const open = opener();
  const layers: LayerWeights[] = [];
  s.layers.forEach((lw, i) => {
    layers[s.l0 + i] = { attnNorm: lw.attnNorm, ffnNorm: lw.ffnNorm, ...Object.fromEntries(LAYER_MATRICES.map((m) => [m, open(lw[m])])) } as LayerWeights;
  });
  const tokenEmbedding = open(s.tokenEmbedding);
  // the same reference for a tied head opens to the same tensor object (s.output === s.tokenEmbedding)
  const output = s.output && s.output === s.tokenEmbedding ? tokenEmbedding : open(s.output);
  return { tokenEmbedding, layers, finalNorm: s.finalNorm ?? ABSENT, output };
}
