// The CPU engine: Llama's forward pass in plain TypeScript, read top to bottom like llama2.c's forward().
// It is the oracle for every GPU kernel and the fallback when WebGPU is missing. Linear layers are injected
// (workers/reference/linear.ts), so a precision map swaps FP8/BF16 in without touching this file.
// A forward may run only part of the model (layers [l0, l1) for a pipeline stage, workers/pipeline/split.ts) for
// several sequences, each with a KV-cache slot of its own.
import { kvDim, qDim, type LlamaConfig } from '../model/config.ts';
import { Cancelled, type Forward, type LoadProgressFn, type MemoryUse } from '../model/forward.ts';
import { ropeTable } from '../model/rope.ts';
import { LAYER_MATRICES, type LayerMatrix, type LlamaWeights } from '../model/weights.ts';
import { headSharesEmbedding, weightSlots } from '../model/slots.ts';
import { storedBytes } from '../model/tensor.ts';
import type { PrecisionMap } from '../quant/types.ts';
import { sameSpec } from '../quant/precision.ts';
import type { QuantStats } from '../quant/pack.ts';
import { isFirst, isLast, wholeModel, type ForwardPart } from '../pipeline/split.ts';
import { loadCpuLinear, type CpuLinear, type MatvecPool } from './linear.ts';
import { attention, rmsnorm, rope, swiglu, type AttentionShape } from './ops.ts';
import type { TraceCapture, TracePlan } from '../model/trace.ts';
import { traceCpu } from './trace.ts';
import { createSimdAttention, type SimdAttention } from '../simd/attention.ts';

type LayerLinears = Record<LayerMatrix, CpuLinear>;

/**
 * Looks inside one run (workers/reference/trace.ts and its tests; never the token loop). Callbacks see the live
 * buffers (their first n rows), valid only during the call: copy what is kept.
 */
export interface ForwardProbe {
  /** Run layers l0 .. lastLayer only (-1: none) and return x: the trace needs nothing after them. */
  lastLayer?: number;
  afterEmbedding?(x: Float32Array): void; // x (n, dim)
  /** Per-head buffers (n, pos0 + n), zero-filled, for layer l's attention probabilities; null: not this layer. */
  attentionProbs?(layer: number): Float32Array[] | null;
  /** Attention's inputs and output: q (n, qDim) after RoPE, the layer's caches (maxSeq, kvDim), out (n, qDim). */
  attention?(layer: number, q: Float32Array, kCache: Float32Array, vCache: Float32Array, out: Float32Array): void;
  ffnGateUp?(layer: number, gate: Float32Array, up: Float32Array): void; // w1 xb, w3 xb (n, hiddenDim)
  ffnAct?(layer: number, act: Float32Array): void; // silu(gate) * up (n, hiddenDim)
  afterLayer?(layer: number, x: Float32Array): void; // x (n, dim)
}

export class CpuForward implements Forward {
  readonly kind = 'cpu';
  readonly maxSeq: number;
  readonly part: ForwardPart;
  precision!: PrecisionMap;
  private linears = new Map<string, CpuLinear>(); // by slot label: "embedding", "L3.w1", "output"
  private layers: LayerLinears[] = []; // [l] for l in [l0, l1)
  private output: CpuLinear | null = null; // the last part only (the embedding itself when the head shares it)
  private embedding: CpuLinear | null = null; // (vocab, dim); the first part only
  private readonly ropeCosSin: Float32Array;
  private readonly keyCache: Float32Array; // (slot, layer - l0, maxSeq, kvDim)
  private readonly valueCache: Float32Array; // (slot, layer - l0, maxSeq, kvDim)
  private readonly caches: { k: Float32Array; v: Float32Array }[]; // views of one (slot, layer) each, made once
  private readonly shape: AttentionShape;
  private readonly att: Float32Array; // (maxSeq) attention scores of one head
  private readonly simdAttention: SimdAttention | null; // attention()'s loops in WebAssembly SIMD, over caches it holds
  private buffers: { rows: number; x: Float32Array; xb: Float32Array; q: Float32Array; k: Float32Array; v: Float32Array; hb: Float32Array; hb2: Float32Array } | null = null;

  /** Reads and packs the part's weights from the file (progress in stored bytes read); `pool`: threads for big matvecs. */
  static async create(config: LlamaConfig, weights: LlamaWeights, precision: PrecisionMap, maxSeq: number,
    part: Partial<ForwardPart> = {}, onProgress?: LoadProgressFn, pool?: MatvecPool): Promise<CpuForward> {
    const f = new CpuForward(config, weights, maxSeq, part, pool);
    await f.setPrecision(precision, onProgress);
    return f;
  }

  private constructor(readonly config: LlamaConfig, private readonly weights: LlamaWeights, maxSeq: number, part: Partial<ForwardPart> = {},
    private readonly pool?: MatvecPool) {
    this.maxSeq = maxSeq;
    this.part = wholeModel(config, part);
    const { l0, l1, slots } = this.part;
    this.ropeCosSin = ropeTable(config, maxSeq);
    const cacheFloats = slots * (l1 - l0) * maxSeq * kvDim(config);
    this.simdAttention = createSimdAttention(cacheFloats, maxSeq, config.headDim);
    this.keyCache = this.simdAttention?.keyCache ?? new Float32Array(cacheFloats);
    this.valueCache = this.simdAttention?.valueCache ?? new Float32Array(cacheFloats);
    this.att = new Float32Array(maxSeq);
    const layerCache = maxSeq * kvDim(config);
    this.caches = Array.from({ length: slots * (l1 - l0) }, (_, i) => ({
      k: this.keyCache.subarray(i * layerCache, (i + 1) * layerCache),
      v: this.valueCache.subarray(i * layerCache, (i + 1) * layerCache),
    }));
    this.shape = { nHeads: config.nHeads, nKvHeads: config.nKvHeads, headDim: config.headDim, maxSeq };
  }

  /**
   * Re-packs what the new map changes, one tensor at a time from the file: the old packing of a tensor is dropped
   * before the new one is read, so memory never holds two copies of the weights.
   */
  async setPrecision(map: PrecisionMap, onProgress?: LoadProgressFn, cancelled?: () => boolean): Promise<void> {
    const slots = weightSlots(this.config, this.weights, map, this.part);
    // what is packed now is the truth (a cancelled switch leaves some tensors in the new format)
    const todo = slots.filter((s) => { const L = this.linears.get(s.label); return !L || !sameSpec(L.spec, s.spec); });
    for (const label of [...this.linears.keys()]) if (!slots.some((s) => s.label === label)) this.drop(label);
    this.layers = [];
    const total = todo.reduce((b, s) => b + storedBytes(s.tensor), 0);
    let done = 0;
    onProgress?.(0, total);
    for (const s of todo) {
      if (cancelled?.()) throw new Cancelled();
      this.drop(s.label);
      this.linears.set(s.label, await loadCpuLinear(s.tensor, s.spec, (bytes) => onProgress?.((done += bytes), total), 'auto', this.pool));
    }
    this.precision = map;
    this.layers = [];
    for (let l = this.part.l0; l < this.part.l1; l++) {
      this.layers[l] = Object.fromEntries(LAYER_MATRICES.map((m) => [m, this.linears.get(`L${l}.${m}`)!])) as LayerLinears;
    }
    this.embedding = isFirst(this.part) ? this.linears.get('embedding')! : null;
    this.output = !isLast(this.config, this.part) ? null : headSharesEmbedding(this.config, map, this.part) ? this.embedding : this.linears.get('output')!;
  }

  async forward(tokens: number[], pos0: number, all = false): Promise<Float32Array> {
    return this.forwardSync(tokens, pos0, all);
  }

  forwardSync(tokens: number[], pos0: number, all = false): Float32Array {
    return this.run(0, tokens, pos0, all);
  }

  /**
   * Runs n rows of one sequence (its KV-cache slot) at positions pos0 .. pos0+n-1 through layers [l0, l1).
   * In: token ids (the first part) or the residual stream x (n, dim). Out: x (n, dim) for the next part, or, from
   * the last part, the logits of the last row [vocab] (of every row [n, vocab] when `all`). A probe (the trace)
   * sees the buffers between steps.
   */
  run(slot: number, input: number[] | Float32Array, pos0: number, all = false, probe?: ForwardProbe): Float32Array {
    const c = this.config, w = this.weights, { l0, l1, slots } = this.part;
    const dim = c.dim, kv = kvDim(c);
    const n = checkInput(c, this.part, input);
    if (!(Number.isInteger(slot) && slot >= 0 && slot < slots)) throw new Error(`KV-cache slot ${slot} is not one of 0..${slots - 1}`);
    if (pos0 + n > this.maxSeq) throw new Error(`sequence of ${pos0 + n} tokens exceeds the context of ${this.maxSeq}`);
    const { x, xb, q, k, v, hb, hb2 } = this.scratch(n);

    if (Array.isArray(input)) {
      for (let r = 0; r < n; r++) this.embedding!.row(input[r], x, r * dim); // x = E[token]
    } else {
      x.set(input); // the previous stage's residual stream
    }
    probe?.afterEmbedding?.(x);

    const shape = this.shape;
    const lEnd = probe?.lastLayer === undefined ? l1 : Math.min(l1, probe.lastLayer + 1);
    for (let l = l0; l < lEnd; l++) {
      const lw = w.layers[l], L = this.layers[l];
      const { k: kCache, v: vCache } = this.caches[slot * (l1 - l0) + (l - l0)];
      // attention: x += wo · attn(rope(wq·norm(x)), rope(wk·norm(x)), wv·norm(x))
      rmsnorm(xb, x, lw.attnNorm, n, dim, c.normEps);
      L.wq.apply(xb, n, q);
      L.wk.apply(xb, n, k);
      L.wv.apply(xb, n, v);
      rope(q, n, c.nHeads, c.headDim, pos0, this.ropeCosSin, c.ropeStyle);
      rope(k, n, c.nKvHeads, c.headDim, pos0, this.ropeCosSin, c.ropeStyle);
      copyRows(kCache, pos0 * kv, k, n * kv);
      copyRows(vCache, pos0 * kv, v, n * kv);
      const probs = probe?.attentionProbs?.(l) ?? undefined; // the trace's probabilities: the TypeScript loops give them
      if (this.simdAttention && !probs) this.simdAttention.attention(xb, q, kCache, vCache, n, pos0, shape);
      else attention(xb, q, kCache, vCache, n, pos0, shape, this.att, probs);
      probe?.attention?.(l, q, kCache, vCache, xb);
      L.wo.apply(xb, n, x, true);
      // feed-forward: x += w2 · (silu(w1·norm(x)) * w3·norm(x))
      rmsnorm(xb, x, lw.ffnNorm, n, dim, c.normEps);
      L.w1.apply(xb, n, hb);
      L.w3.apply(xb, n, hb2);
      probe?.ffnGateUp?.(l, hb, hb2);
      swiglu(hb, hb2, n * c.hiddenDim);
      probe?.ffnAct?.(l, hb);
      L.w2.apply(hb, n, x, true);
      probe?.afterLayer?.(l, x);
    }
    if (!this.output || lEnd < l1) return x.slice(0, n * dim); // a middle stage (or a trace stopped early) hands x on

    // final norm and the output head: every row, or only the last
    const rows = all ? n : 1;
    const last = all ? x.subarray(0, n * dim) : x.subarray((n - 1) * dim, n * dim);
    return this.finalLogits(last, rows, xb);
  }

  /** logits (rows, vocab) = output · finalNorm(x) for rows of x: the end of run(), and the logit lens after any layer. */
  finalLogits(x: Float32Array, rows: number, xb: Float32Array = new Float32Array(rows * this.config.dim)): Float32Array {
    const c = this.config;
    if (!this.output) throw new Error(`layers [${this.part.l0}, ${this.part.l1}) have no output head`);
    rmsnorm(xb, x, this.weights.finalNorm, rows, c.dim, c.normEps);
    const logits = new Float32Array(rows * c.vocabSize);
    this.output.apply(xb, rows, logits);
    return logits;
  }

  /** The lesson's look inside one pass (workers/reference/trace.ts): slot 0 from position 0, whole model only. */
  async trace(plan: TracePlan): Promise<TraceCapture> {
    if (!isFirst(this.part) || !isLast(this.config, this.part)) throw new Error('trace a whole model, not one pipeline stage');
    return traceCpu(this, plan);
  }

  /** Activation buffers for at least n rows, allocated once and grown when a longer chunk comes (no per-token garbage). */
  private scratch(n: number) {
    if (!this.buffers || this.buffers.rows < n) {
      const c = this.config, kv = kvDim(c), qd = qDim(c);
      this.buffers = {
        rows: n,
        x: new Float32Array(n * c.dim), // residual stream (n, dim)
        xb: new Float32Array(n * Math.max(c.dim, qd)), // normed input / attention output
        q: new Float32Array(n * qd), // (n, nHeads*headDim)
        k: new Float32Array(n * kv), // (n, kvDim)
        v: new Float32Array(n * kv),
        hb: new Float32Array(n * c.hiddenDim), // (n, hiddenDim) gate, then silu(gate)*up
        hb2: new Float32Array(n * c.hiddenDim), // (n, hiddenDim) up
      };
    }
    return this.buffers;
  }

  weightBytes(): number {
    let b = 0;
    for (const L of this.linears.values()) b += L.bytes;
    return b;
  }

  memory(): MemoryUse {
    const act = this.buffers ? 4 * this.buffers.rows * (2 * this.config.dim + qDim(this.config) + 2 * kvDim(this.config) + 2 * this.config.hiddenDim) : 0;
    return { weights: this.weightBytes(), kv: this.keyCache.byteLength + this.valueCache.byteLength, activations: act + this.ropeCosSin.byteLength, device: null };
  }

  /** Numerics of every packed tensor of the current map, by label (what packing did: amax, scale, clipped ...). */
  tensorStats(): { label: string; dtype: string; bytes: number; stats: QuantStats }[] {
    return [...this.linears].map(([label, L]) => ({ label, dtype: L.spec.dtype, bytes: L.bytes, stats: L.stats }));
  }

  dispose(): void { this.layers = []; for (const label of [...this.linears.keys()]) this.drop(label); }

  /** The threads of a pool let go of the matrix too. */
  private drop(label: string): void {
    this.linears.get(label)?.release();
    this.linears.delete(label);
  }

}

/** to[at ..] = from[0 .. count): the new rows' keys or values into the cache, without a subarray per call. */
function copyRows(to: Float32Array, at: number, from: Float32Array, count: number): void {
  for (let i = 0; i < count; i++) to[at + i] = from[i];
}

/** Rows in a forward's input, checked against its part: token ids for the first part, x (n, dim) otherwise. */
export function checkInput(c: LlamaConfig, part: ForwardPart, input: number[] | Float32Array): number {
  if (Array.isArray(input) !== isFirst(part)) {
    throw new Error(`layers [${part.l0}, ${part.l1}) take ${isFirst(part) ? 'token ids' : `the residual stream x (rows, ${c.dim})`}`);
  }
  const n = Array.isArray(input) ? input.length : input.length / c.dim;
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`a forward needs at least one whole row, got ${input.length} values`);
  if (Array.isArray(input)) for (const t of input) if (!(t >= 0 && t < c.vocabSize)) throw new Error(`token id ${t} is outside the vocabulary (0..${c.vocabSize - 1})`);
  return n;
}
