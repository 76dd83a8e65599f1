// The WebGPU engine: the same forward pass as workers/reference/forward.ts, one kernel per line, encoded into a
// single compute pass and submitted once per call. Buffers, pipelines and bind groups are made at load (and on a
// precision change); a call only writes three small uniforms/inputs, encodes, submits and reads the logits back.
import { kvDim, qDim, type LlamaConfig } from '../model/config.ts';
import type { Forward } from '../model/forward.ts';
import { PREFILL_CHUNK } from '../model/generate.ts';
import { ropeTable } from '../model/rope.ts';
import { LAYER_MATRICES, matrixShape, type LayerMatrix, type LlamaWeights } from '../model/weights.ts';
import type { PrecisionMap } from '../quant/types.ts';
import { stepWords } from '../kernels/registry.ts';
import { createGpuContext, storageBuffer, uniformBuffer, type GpuContext } from './context.ts';
import { createGpuLinear, type GpuLinear } from './linear.ts';
import { GpuKernels, type Dispatch } from './kernels.ts';
import { packEmbedding } from './embedding.ts';

type Linears = Record<LayerMatrix, GpuLinear>;

export async function createGpuForward(config: LlamaConfig, weights: LlamaWeights, map: PrecisionMap, maxSeq: number,
  onProgress?: (loaded: number, total: number) => void, ctx?: GpuContext): Promise<GpuForward> {
  ctx ??= await createGpuContext();
  const f = new GpuForward(ctx, config, weights, maxSeq);
  try {
    await f.init(map, onProgress);
  } catch (e) {
    f.dispose();
    throw e;
  }
  return f;
}

export class GpuForward implements Forward {
  readonly kind = 'webgpu';
  readonly adapterName: string;
  precision!: PrecisionMap;
  private readonly device: GPUDevice;
  private readonly chunk = PREFILL_CHUNK; // most rows per pass
  private lost: string | null = null;
  private owned: GPUBuffer[] = [];
  private b!: Record<'tokens' | 'step' | 'final' | 'x' | 'xb' | 'q' | 'k' | 'v' | 'hb' | 'hb2' | 'xf' | 'logits' | 'readback' | 'rope', GPUBuffer>;
  private kCache: GPUBuffer[] = [];
  private vCache: GPUBuffer[] = [];
  private linears: Linears[] = [];
  private head: GpuLinear | null = null;
  private embedding: GPUBuffer | null = null;
  private embeddingBytes = 0;
  private passes: Dispatch[] = []; // the forward pass as a list of dispatches, built once per precision
  private kernels!: GpuKernels;
  private timer: { query: GPUQuerySet; resolve: GPUBuffer } | null = null;
  /** GPU time of the last call's compute pass (timestamp queries; null where the adapter has none) and its host time. */
  lastTiming: { gpuMs: number | null; hostMs: number } = { gpuMs: null, hostMs: 0 };

  constructor(private readonly ctx: GpuContext, readonly config: LlamaConfig, private readonly weights: LlamaWeights, readonly maxSeq: number) {
    this.device = ctx.device;
    this.adapterName = ctx.adapterName;
    void this.device.lost.then((info) => { this.lost = info.message || info.reason || 'unknown reason'; });
  }

  /** Allocates activations, caches and weights; sizes are checked against the adapter before anything is made. */
  async init(map: PrecisionMap, onProgress?: (loaded: number, total: number) => void): Promise<void> {
    const c = this.config, d = this.device, n = this.chunk;
    const f32 = 4, kv = kvDim(c), qd = qDim(c);
    const limit = d.limits.maxStorageBufferBindingSize;
    const largest = Math.max(c.vocabSize * c.dim * f32, c.hiddenDim * c.dim * f32, n * c.vocabSize * f32);
    if (largest > limit) {
      throw new Error(`this model needs GPU buffers of ${mb(largest)}; this adapter allows ${mb(limit)}: use the CPU engine or a smaller model`);
    }
    d.pushErrorScope('out-of-memory');
    const buf = (label: string, bytes: number, data?: ArrayBufferView) => this.own(storageBuffer(d, label, bytes, data));
    this.b = {
      tokens: buf('tokens', n * 4),
      step: this.own(uniformBuffer(d, 'step', stepWords(1, 0))),
      final: this.own(uniformBuffer(d, 'final.step', stepWords(1, 0))),
      x: buf('x', n * c.dim * f32), // residual stream (n, dim)
      xb: buf('xb', n * Math.max(c.dim, qd) * f32), // normed input, then attention output
      q: buf('q', n * qd * f32),
      k: buf('k', n * kv * f32),
      v: buf('v', n * kv * f32),
      hb: buf('hb', n * c.hiddenDim * f32), // gate, then silu(gate) * up
      hb2: buf('hb2', n * c.hiddenDim * f32), // up
      xf: buf('xf', n * c.dim * f32), // final-normed rows for the head
      logits: buf('logits', n * c.vocabSize * f32),
      // logits, then two u64 timestamps
      readback: this.own(d.createBuffer({ label: 'logits.readback', size: n * c.vocabSize * f32 + 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST })),
      rope: buf('rope.table', 0, ropeTable(c, this.maxSeq)),
    };
    for (let l = 0; l < c.nLayers; l++) {
      this.kCache.push(buf(`L${l}.k_cache`, this.maxSeq * kv * f32));
      this.vCache.push(buf(`L${l}.v_cache`, this.maxSeq * kv * f32));
    }
    if (this.ctx.hasTimestamps) {
      this.timer = {
        query: d.createQuerySet({ label: 'forward.timestamps', type: 'timestamp', count: 2 }),
        resolve: this.own(d.createBuffer({ label: 'forward.timestamps.resolve', size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC })),
      };
    }
    this.kernels = await GpuKernels.create(this.ctx, c, this.weights, this.maxSeq, this.b.step, this.b.rope, buf);
    const oom = await d.popErrorScope();
    if (oom) throw new Error(`out of GPU memory allocating activations and KV cache (${mb(this.activationBytes())}): close other GPU tabs or use a smaller model`);
    await this.setPrecision(map, onProgress);
  }

  async setPrecision(map: PrecisionMap, onProgress?: (loaded: number, total: number) => void): Promise<void> {
    const c = this.config, w = this.weights, d = this.device;
    this.releaseWeights();
    d.pushErrorScope('out-of-memory');
    const total = c.nLayers * LAYER_MATRICES.length + 2;
    let done = 0;
    const tick = () => onProgress?.(++done, total);
    const packed = packEmbedding(w.tokenEmbedding, c.vocabSize, c.dim, map.embedding);
    this.embedding = storageBuffer(d, `embedding.${map.embedding.dtype}`, packed.byteLength, packed);
    this.embeddingBytes = packed.byteLength;
    tick();
    const b = this.b;
    for (let l = 0; l < c.nLayers; l++) {
      const lw = w.layers[l], spec = map.layers[l];
      const io = (m: LayerMatrix) => {
        const x = m === 'w2' ? b.hb : b.xb;
        const y = { wq: b.q, wk: b.k, wv: b.v, wo: b.x, w1: b.hb, w3: b.hb2, w2: b.x }[m];
        return { x, y, rows: b.step, maxRows: this.chunk, accumulate: m === 'wo' || m === 'w2' };
      };
      const linears = {} as Linears;
      for (const m of LAYER_MATRICES) {
        const [rows, cols] = matrixShape(c, m);
        linears[m] = await createGpuLinear(this.ctx, `L${l}.${m}.${spec[m].dtype}`, lw[m], rows, cols, spec[m], io(m));
        tick();
      }
      this.linears.push(linears);
    }
    this.head = await createGpuLinear(this.ctx, `output.${map.output.dtype}`, w.output, c.vocabSize, c.dim, map.output,
      { x: b.xf, y: b.logits, rows: b.final, maxRows: this.chunk });
    tick();
    const oom = await d.popErrorScope();
    if (oom) {
      this.releaseWeights();
      throw new Error(`out of GPU memory uploading weights (${mb(this.weightBytes())} needed): pick a smaller precision (bf16 or fp8) or a smaller model`);
    }
    this.precision = map;
    this.passes = this.buildPasses();
  }

  /** The forward pass, in Llama order, as dispatches (n = rows in this call). */
  private buildPasses(): Dispatch[] {
    const c = this.config, b = this.b, k = this.kernels;
    const passes: Dispatch[] = [k.embed(b.tokens, this.embedding!, this.precision.embedding.dtype === 'bf16', b.x)];
    for (let l = 0; l < c.nLayers; l++) {
      const L = this.linears[l], lw = k.layerNorms[l];
      passes.push(
        k.rmsnorm(b.step, b.x, lw.attnNorm, b.xb), // xb = attnNorm(x)
        L.wq, L.wk, L.wv, // q = wq xb; k = wk xb; v = wv xb
        k.ropeQ(b.q), // rotate q
        k.ropeStoreKv(b.k, b.v, this.kCache[l], this.vCache[l]), // rotate k; k, v -> cache[pos0 ..]
        k.attention(b.q, this.kCache[l], this.vCache[l], b.xb), // xb = attention(q, cache)
        L.wo, // x += wo xb
        k.rmsnorm(b.step, b.x, lw.ffnNorm, b.xb), // xb = ffnNorm(x)
        L.w1, L.w3, // hb = w1 xb; hb2 = w3 xb
        k.swiglu(b.hb, b.hb2), // hb = silu(hb) * hb2
        L.w2, // x += w2 hb
      );
    }
    passes.push(k.rmsnorm(b.final, b.x, k.finalNorm, b.xf), this.head!); // xf = finalNorm(x[rows]); logits = head xf
    return passes;
  }

  async forward(tokens: number[], pos0: number, all = false): Promise<Float32Array> {
    const vocab = this.config.vocabSize;
    if (pos0 + tokens.length > this.maxSeq) throw new Error(`sequence of ${pos0 + tokens.length} tokens exceeds the context of ${this.maxSeq}`);
    const out = all ? new Float32Array(tokens.length * vocab) : null;
    let last: Float32Array = new Float32Array(0);
    for (let i = 0; i < tokens.length; i += this.chunk) {
      const part = tokens.slice(i, i + this.chunk);
      last = await this.run(part, pos0 + i, all);
      out?.set(last, i * vocab);
    }
    return out ?? last;
  }

  /** One submit: rows of tokens at pos0; logits of every row (all) or of the last. */
  private async run(tokens: number[], pos0: number, all: boolean): Promise<Float32Array> {
    if (this.lost) throw new Error(`the GPU device was lost (${this.lost}): reload the model`);
    const d = this.device, b = this.b, n = tokens.length, vocab = this.config.vocabSize;
    const rowsOut = all ? n : 1;
    for (const t of tokens) if (!(t >= 0 && t < vocab)) throw new Error(`token id ${t} is outside the vocabulary (0..${vocab - 1})`);
    d.queue.writeBuffer(b.tokens, 0, new Uint32Array(tokens));
    d.queue.writeBuffer(b.step, 0, stepWords(n, pos0));
    d.queue.writeBuffer(b.final, 0, stepWords(rowsOut, pos0, all ? 0 : n - 1));
    const t0 = performance.now();
    const enc = d.createCommandEncoder({ label: 'forward' });
    const timer = this.timer;
    const pass = enc.beginComputePass({
      label: 'forward',
      timestampWrites: timer ? { querySet: timer.query, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } : undefined,
    });
    for (const p of this.passes) p.encode(pass, p === this.head ? rowsOut : n);
    pass.end();
    const logitBytes = rowsOut * vocab * 4;
    const tsOffset = this.chunk * vocab * 4; // timestamps sit after the largest logits block (8-byte aligned)
    enc.copyBufferToBuffer(b.logits, 0, b.readback, 0, logitBytes);
    if (timer) {
      enc.resolveQuerySet(timer.query, 0, 2, timer.resolve, 0);
      enc.copyBufferToBuffer(timer.resolve, 0, b.readback, tsOffset, 16);
    }
    d.queue.submit([enc.finish()]);
    try {
      await b.readback.mapAsync(GPUMapMode.READ);
    } catch (e) {
      throw new Error(this.lost ? `the GPU device was lost (${this.lost}): reload the model` : `reading logits failed: ${(e as Error).message}`, { cause: e });
    }
    const mapped = b.readback.getMappedRange();
    const logits = new Float32Array(mapped.slice(0, logitBytes));
    let gpuMs: number | null = null;
    if (timer) {
      const [start, end] = new BigUint64Array(mapped, tsOffset, 2);
      gpuMs = end > start ? Number(end - start) / 1e6 : null;
    }
    b.readback.unmap();
    this.lastTiming = { gpuMs, hostMs: performance.now() - t0 };
    return logits;
  }

  weightBytes(): number {
    let bytes = this.embeddingBytes + (this.head?.bytes ?? 0);
    for (const L of this.linears) for (const m of LAYER_MATRICES) bytes += L[m].bytes;
    return bytes;
  }

  private activationBytes(): number {
    return this.owned.reduce((s, b) => s + b.size, 0);
  }


  private own(b: GPUBuffer): GPUBuffer { this.owned.push(b); return b; }

  private releaseWeights(): void {
    for (const L of this.linears) for (const m of LAYER_MATRICES) L[m].destroy();
    this.linears = [];
    this.head?.destroy();
    this.head = null;
    this.embedding?.destroy();
    this.embedding = null;
  }

  dispose(): void {
    this.releaseWeights();
    this.kernels?.destroy();
    for (const b of this.owned) b.destroy(); // activations, caches, norms
    this.owned = [];
    this.timer?.query.destroy();
    this.device.destroy();
  }
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
