// The CPU engine: Llama's forward pass in plain TypeScript, read top to bottom like llama2.c's forward().
// It is the oracle for every GPU kernel and the fallback when WebGPU is missing. Linear layers are injected
// (workers/reference/linear.ts), so a precision map swaps FP8/BF16 in without touching this file.
import { kvDim, qDim, type LlamaConfig } from '../model/config.ts';
import type { Forward } from '../model/forward.ts';
import { ropeTable } from '../model/rope.ts';
import { LAYER_MATRICES, matrixShape, type LayerMatrix, type LlamaWeights } from '../model/weights.ts';
import type { PrecisionMap } from '../quant/types.ts';
import { createCpuLinear, type CpuLinear } from './linear.ts';
import { embeddingRows } from './embedding.ts';
import { attention, rmsnorm, rope, swiglu } from './ops.ts';

type LayerLinears = Record<LayerMatrix, CpuLinear>;

export class CpuForward implements Forward {
  readonly kind = 'cpu';
  readonly maxSeq: number;
  precision!: PrecisionMap;
  private layers: LayerLinears[] = [];
  private output!: CpuLinear;
  private embedding!: Float32Array; // (vocab, dim) as the embedding precision stores it
  private readonly ropeCosSin: Float32Array;
  private readonly keyCache: Float32Array; // (layer, maxSeq, kvDim)
  private readonly valueCache: Float32Array; // (layer, maxSeq, kvDim)
  private readonly att: Float32Array; // (maxSeq) attention scores of one head

  constructor(readonly config: LlamaConfig, private readonly weights: LlamaWeights, precision: PrecisionMap, maxSeq: number) {
    this.maxSeq = maxSeq;
    this.ropeCosSin = ropeTable(config, maxSeq);
    this.keyCache = new Float32Array(config.nLayers * maxSeq * kvDim(config));
    this.valueCache = new Float32Array(config.nLayers * maxSeq * kvDim(config));
    this.att = new Float32Array(maxSeq);
    this.pack(precision);
  }

  async setPrecision(map: PrecisionMap): Promise<void> { this.pack(map); }

  private pack(map: PrecisionMap): void {
    const c = this.config, w = this.weights;
    this.layers = w.layers.map((lw, l) => {
      const linears = {} as LayerLinears;
      for (const m of LAYER_MATRICES) {
        const [n, k] = matrixShape(c, m);
        linears[m] = createCpuLinear(lw[m], n, k, map.layers[l][m]);
      }
      return linears;
    });
    this.output = createCpuLinear(w.output, c.vocabSize, c.dim, map.output);
    this.embedding = embeddingRows(w.tokenEmbedding, map.embedding);
    this.precision = map;
  }

  async forward(tokens: number[], pos0: number, all = false): Promise<Float32Array> {
    return this.forwardSync(tokens, pos0, all);
  }

  forwardSync(tokens: number[], pos0: number, all = false): Float32Array {
    const c = this.config, w = this.weights;
    const n = tokens.length, dim = c.dim, kv = kvDim(c), qd = qDim(c);
    if (pos0 + n > this.maxSeq) throw new Error(`sequence of ${pos0 + n} tokens exceeds the context of ${this.maxSeq}`);
    const x = new Float32Array(n * dim); // residual stream (n, dim)
    const xb = new Float32Array(n * Math.max(dim, qd)); // normed input / attention output
    const q = new Float32Array(n * qd); // (n, nHeads*headDim)
    const k = new Float32Array(n * kv); // (n, kvDim)
    const v = new Float32Array(n * kv);
    const hb = new Float32Array(n * c.hiddenDim); // (n, hiddenDim) gate, then silu(gate)*up
    const hb2 = new Float32Array(n * c.hiddenDim); // (n, hiddenDim) up

    for (let r = 0; r < n; r++) x.set(this.embedding.subarray(tokens[r] * dim, (tokens[r] + 1) * dim), r * dim);

    for (let l = 0; l < c.nLayers; l++) {
      const lw = w.layers[l], L = this.layers[l];
      const kCache = this.keyCache.subarray(l * this.maxSeq * kv, (l + 1) * this.maxSeq * kv);
      const vCache = this.valueCache.subarray(l * this.maxSeq * kv, (l + 1) * this.maxSeq * kv);
      // attention: x += wo · attn(rope(wq·norm(x)), rope(wk·norm(x)), wv·norm(x))
      rmsnorm(xb, x, lw.attnNorm, n, dim, c.normEps);
      L.wq.apply(xb, n, q);
      L.wk.apply(xb, n, k);
      L.wv.apply(xb, n, v);
      rope(q, n, c.nHeads, c.headDim, pos0, this.ropeCosSin, c.ropeStyle);
      rope(k, n, c.nKvHeads, c.headDim, pos0, this.ropeCosSin, c.ropeStyle);
      kCache.set(k, pos0 * kv);
      vCache.set(v, pos0 * kv);
      attention(xb, q, kCache, vCache, n, pos0, { nHeads: c.nHeads, nKvHeads: c.nKvHeads, headDim: c.headDim, maxSeq: this.maxSeq }, this.att);
      L.wo.apply(xb, n, x, true);
      // feed-forward: x += w2 · (silu(w1·norm(x)) * w3·norm(x))
      rmsnorm(xb, x, lw.ffnNorm, n, dim, c.normEps);
      L.w1.apply(xb, n, hb);
      L.w3.apply(xb, n, hb2);
      swiglu(hb, hb2, n * c.hiddenDim);
      L.w2.apply(hb, n, x, true);
    }

    // final norm and the output head: every row, or only the last
    const rows = all ? n : 1;
    const last = all ? x : x.subarray((n - 1) * dim, n * dim);
    rmsnorm(xb, last, w.finalNorm, rows, dim, c.normEps);
    const logits = new Float32Array(rows * c.vocabSize);
    this.output.apply(xb, rows, logits);
    return logits;
  }

  weightBytes(): number {
    let b = this.output.bytes + this.embedding.byteLength * (this.precision.embedding.dtype === 'bf16' ? 0.5 : 1);
    for (const L of this.layers) for (const m of LAYER_MATRICES) b += L[m].bytes;
    return b;
  }


  dispose(): void { this.layers = []; }
}
