// The WebGPU engine: the same forward pass as workers/reference/forward.ts, one kernel per line, encoded into a
// single compute pass and submitted once per call. Buffers, pipelines and bind groups are made at load (and on a
// precision change); a call only writes three small uniforms/inputs, encodes, submits and reads the result back.
// A forward may run only layers [l0, l1) (a pipeline stage, workers/pipeline/split.ts): it then takes x instead of
// token ids and/or returns x instead of logits; each sequence in flight has KV caches (and a pass list) of its own.
import { kvDim, qDim, type LlamaConfig } from '../model/config.ts';
import { Cancelled, type Forward, type LoadProgressFn, type MemoryUse } from '../model/forward.ts';
import { PREFILL_CHUNK } from '../model/generate.ts';
import { ropeTable } from '../model/rope.ts';
import { LAYER_MATRICES, type LayerMatrix, type LlamaWeights } from '../model/weights.ts';
import { headSharesEmbedding, weightSlots } from '../model/slots.ts';
import { storedBytes } from '../model/tensor.ts';
import type { PrecisionMap } from '../quant/types.ts';
import { sameSpec } from '../quant/precision.ts';
import type { QuantStats } from '../quant/pack.ts';
import { stepWords } from '../kernels/registry.ts';
import { isFirst, isLast, wholeModel, type ForwardPart } from '../pipeline/split.ts';
import { checkInput } from '../reference/forward.ts';
import { createGpuContext, describeFeatures, storageBuffer, uniformBuffer, type GpuContext, type GpuOptions } from './context.ts';
import { gpuLinear, type GpuLinear } from './linear.ts';
import { uploadTensor, type GpuWeights } from './weights.ts';
import { GpuKernels, type Dispatch } from './kernels.ts';
import { stepNames, timeDispatches, type KernelTime } from './profile.ts';
import { traceGpu } from './trace.ts';
import { EngineError, fail } from '../errors.ts';
import type { TraceCapture, TracePlan } from '../model/trace.ts';

type Linears = Record<LayerMatrix, GpuLinear>;

export async function createGpuForward(config: LlamaConfig, weights: LlamaWeights, map: PrecisionMap, maxSeq: number,
  onProgress?: LoadProgressFn, ctx?: GpuContext, part?: Partial<ForwardPart>, options?: GpuOptions): Promise<GpuForward> {
  ctx ??= await createGpuContext(options);
  const f = new GpuForward(ctx, config, weights, maxSeq, part);
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
  /** The device's optional features and the reductions the kernels use, as one line (describeFeatures). */
  readonly gpuFeatures: string;
  readonly part: ForwardPart;
  precision!: PrecisionMap;
  private readonly device: GPUDevice;
  /** Most rows per pass: PREFILL_CHUNK, or fewer when a row of logits or activations is large for one binding. */
  readonly chunk: number;
  private lost: string | null = null;
  private disposed = false;
  /** Resolves, with the reason, when the device is lost while this forward still uses it (never after dispose()). */
  readonly deviceLost: Promise<string>;
  private owned: GPUBuffer[] = [];
  private b!: Record<'tokens' | 'step' | 'final' | 'x' | 'xb' | 'q' | 'k' | 'v' | 'hb' | 'hb2' | 'xf' | 'logits' | 'token' | 'readback' | 'rope', GPUBuffer>;
  private readonly scratch: { tokens: Uint32Array<ArrayBuffer>; step: Uint32Array<ArrayBuffer> };
  private argmax: Dispatch | null = null; // the last part's greedy pick: token = argmax(logits)
  private kCache: GPUBuffer[][] = []; // [slot][layer]
  private vCache: GPUBuffer[][] = [];
  private weights = new Map<string, GpuWeights>(); // by slot label: "embedding", "L3.w1", "output"
  private linears: Linears[] = []; // [layer] for layers in [l0, l1)
  private head: GpuLinear | null = null;
  private passes: Dispatch[][] = []; // per slot, the forward pass as a list of dispatches, built once per precision
  private kernels!: GpuKernels;
  private timer: { query: GPUQuerySet; resolve: GPUBuffer } | null = null;
  /** GPU time of the last call's compute passes (timestamp queries; null where the adapter has none) and its host time. */
  lastTiming: { gpuMs: number | null; hostMs: number } = { gpuMs: null, hostMs: 0 };

  constructor(private readonly ctx: GpuContext, readonly config: LlamaConfig, private readonly model: LlamaWeights, readonly maxSeq: number, part?: Partial<ForwardPart>) {
    this.device = ctx.device;
    this.adapterName = ctx.adapterName;
    this.gpuFeatures = describeFeatures(ctx.features, ctx.reduction);
    this.part = wholeModel(config, part);
    // a row of every activation buffer must fit one binding: logits (vocab) on the last part, the FFN (hiddenDim)
    const widest = Math.max(this.last ? config.vocabSize : 0, config.hiddenDim, config.dim, qDim(config)) * 4;
    this.chunk = Math.max(1, Math.min(PREFILL_CHUNK, Math.floor(ctx.bindingLimit / widest)));
    this.scratch = { tokens: new Uint32Array(this.chunk), step: new Uint32Array(4) };
    this.deviceLost = new Promise<string>((resolve) => {
      void this.device.lost.then((info) => {
        if (this.disposed) return; // our own destroy(): not a loss
        this.lost = info.message || info.reason || 'unknown reason';
        resolve(this.lost);
      });
    });
  }

  private get first() { return isFirst(this.part); }
  private get last() { return isLast(this.config, this.part); }

  /** Allocates activations, caches and weights; every buffer's size is checked against the binding limit first. */
  async init(map: PrecisionMap, onProgress?: LoadProgressFn): Promise<void> {
    const c = this.config, d = this.device, n = this.chunk, { l0, l1, slots } = this.part;
    const f32 = 4, kv = kvDim(c), qd = qDim(c);
    const limit = this.ctx.bindingLimit;
    const widest = Math.max(this.last ? c.vocabSize : 0, c.hiddenDim, c.dim, qd) * f32; // one row of logits or activations
    if (widest > limit) throw fail('unsupported', `one row of this model's activations is ${mb(widest)}; this GPU binds at most ${mb(limit)}: use the CPU engine`);
    const cacheBytes = this.maxSeq * kv * f32;
    if (cacheBytes > limit) {
      throw fail('out-of-memory', `a ${this.maxSeq}-token KV cache needs ${mb(cacheBytes)} per layer; this GPU binds at most ${mb(limit)}: lower the context`);
    }
    const logitRows = this.last ? n : 0; // a middle stage has no head
    d.pushErrorScope('out-of-memory');
    const buf = (label: string, bytes: number, data?: ArrayBufferView) => this.own(storageBuffer(d, label, bytes, data));
    const outBytes = Math.max(logitRows * c.vocabSize, n * c.dim) * f32; // logits (last stage) or x (others)
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
      xf: buf('xf', (this.last ? n : 1) * c.dim * f32), // final-normed rows for the head
      logits: buf('logits', logitRows * c.vocabSize * f32),
      token: buf('token', 4), // the greedy token id (argmax of the last row's logits)
      // logits or x, then two u64 timestamps
      readback: this.own(d.createBuffer({ label: 'out.readback', size: outBytes + 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST })),
      rope: buf('rope.table', 0, ropeTable(c, this.maxSeq)),
    };
    for (let s = 0; s < slots; s++) {
      const slot = slots > 1 ? `S${s}.` : '';
      this.kCache.push([]);
      this.vCache.push([]);
      for (let l = l0; l < l1; l++) {
        this.kCache[s][l] = buf(`${slot}L${l}.k_cache`, cacheBytes);
        this.vCache[s][l] = buf(`${slot}L${l}.v_cache`, cacheBytes);
      }
    }
    if (this.ctx.hasTimestamps) {
      this.timer = {
        query: d.createQuerySet({ label: 'forward.timestamps', type: 'timestamp', count: 2 }),
        resolve: this.own(d.createBuffer({ label: 'forward.timestamps.resolve', size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC })),
      };
    }
    this.kernels = await GpuKernels.create(this.ctx, c, this.model, this.maxSeq, this.b.step, this.b.rope, buf, this.part);
    if (this.last) this.argmax = this.kernels.argmax(this.b.logits, this.b.token);
    const oom = await d.popErrorScope();
    if (oom) throw fail('out-of-memory', `out of GPU memory allocating activations and KV cache (${mb(this.ownedBytes())}): lower the context, close other GPU tabs or use a smaller model`);
    await this.setPrecision(map, onProgress);
  }

  /**
   * Re-packs, from the file, every tensor whose spec the new map changes; the old buffers of a tensor are freed
   * before its new ones are made, so the GPU never holds two copies of the weights.
   */
  async setPrecision(map: PrecisionMap, onProgress?: LoadProgressFn, cancelled?: () => boolean): Promise<void> {
    const c = this.config, d = this.device, b = this.b;
    const slots = weightSlots(c, this.model, map, this.part);
    // what is on the GPU now is the truth (a cancelled switch leaves some tensors in the new format)
    const todo = slots.filter((s) => { const w = this.weights.get(s.label); return !w || !sameSpec(w.spec, s.spec); });
    this.releaseLinears();
    this.passes = [];
    for (const [label, w] of this.weights) {
      if (!slots.some((s) => s.label === label) || todo.some((s) => s.label === label)) { w.destroy(); this.weights.delete(label); }
    }
    const total = todo.reduce((n, s) => n + storedBytes(s.tensor), 0);
    let done = 0;
    onProgress?.(0, total);
    for (const s of todo) {
      if (cancelled?.()) throw new Cancelled();
      d.pushErrorScope('out-of-memory');
      let w: GpuWeights | null = null, failure: unknown = null;
      try {
        w = await uploadTensor(this.ctx, `${s.label}.${s.spec.dtype}`, s.tensor, s.spec, (bytes) => onProgress?.((done += bytes), total));
      } catch (e) {
        failure = e;
      }
      const oom = await d.popErrorScope();
      if (oom || failure) {
        w?.destroy();
        const held = [...this.weights.values()].reduce((n, x) => n + x.bytes, 0);
        this.releaseWeights();
        if (!oom) throw failure;
        throw fail('out-of-memory', `out of GPU memory uploading ${s.label} (${mb(held)} of weights were in place): pick a smaller precision (bf16 or fp8), lower the context, or use a smaller model`);
      }
      this.weights.set(s.label, w!);
    }
    // the matmuls: the layers' linears, and the head (over the embedding's buffers when it shares them)
    const io = (m: LayerMatrix) => {
      const x = m === 'w2' ? b.hb : b.xb;
      const y = { wq: b.q, wk: b.k, wv: b.v, wo: b.x, w1: b.hb, w3: b.hb2, w2: b.x }[m];
      return { x, y, rows: b.step, maxRows: this.chunk, accumulate: m === 'wo' || m === 'w2' };
    };
    for (let l = this.part.l0; l < this.part.l1; l++) {
      const linears = {} as Linears;
      for (const m of LAYER_MATRICES) {
        const spec = map.layers[l][m];
        linears[m] = await gpuLinear(this.ctx, `L${l}.${m}.${spec.dtype}`, this.weights.get(`L${l}.${m}`)!, spec, io(m));
      }
      this.linears[l] = linears;
    }
    if (this.last) {
      const shared = headSharesEmbedding(c, map, this.part);
      this.head = await gpuLinear(this.ctx, `output.${map.output.dtype}${shared ? '.tied' : ''}`, this.weights.get(shared ? 'embedding' : 'output')!,
        map.output, { x: b.xf, y: b.logits, rows: b.final, maxRows: this.chunk });
    }
    this.precision = map;
    this.passes = this.kCache.map((_, slot) => this.buildPasses(slot));
  }

  /** The forward pass of one sequence's slot, in Llama order, as dispatches (n = rows in this call). */
  private buildPasses(slot: number): Dispatch[] {
    const b = this.b, k = this.kernels, kCache = this.kCache[slot], vCache = this.vCache[slot];
    const passes: Dispatch[] = [];
    if (this.first) passes.push(k.embed(b.tokens, this.weights.get('embedding')!, b.x)); // x = E[tokens]
    for (let l = this.part.l0; l < this.part.l1; l++) {
      const L = this.linears[l], lw = k.layerNorms[l];
      passes.push(
        k.rmsnorm(b.step, b.x, lw.attnNorm, b.xb), // xb = attnNorm(x)
        L.wq, L.wk, L.wv, // q = wq xb; k = wk xb; v = wv xb
        k.ropeQ(b.q), // rotate q
        k.ropeStoreKv(b.k, b.v, kCache[l], vCache[l]), // rotate k; k, v -> cache[pos0 ..]
        k.attention(b.q, kCache[l], vCache[l], b.xb), // xb = attention(q, cache)
        L.wo, // x += wo xb
        k.rmsnorm(b.step, b.x, lw.ffnNorm, b.xb), // xb = ffnNorm(x)
        L.w1, L.w3, // hb = w1 xb; hb2 = w3 xb
        k.swiglu(b.hb, b.hb2), // hb = silu(hb) * hb2
        L.w2, // x += w2 hb
      );
    }
    if (this.last) passes.push(k.rmsnorm(b.final, b.x, k.finalNorm, b.xf), this.head!); // xf = finalNorm(x[rows]); logits = head xf
    return passes;
  }

  async forward(tokens: number[], pos0: number, all = false): Promise<Float32Array> {
    return this.run(0, tokens, pos0, all);
  }

  /**
   * Runs n rows of one sequence (its KV-cache slot) at positions pos0 .. through layers [l0, l1), in chunks of at
   * most `chunk` rows. In: token ids (first part) or x (n, dim). Out: x (n, dim), or from the last part the logits
   * of the last row (of every row when `all`). lastTiming sums the chunks.
   */
  async run(slot: number, input: number[] | Float32Array, pos0: number, all = false): Promise<Float32Array> {
    const c = this.config, n = checkInput(c, this.part, input);
    if (!(Number.isInteger(slot) && slot >= 0 && slot < this.part.slots)) throw new Error(`KV-cache slot ${slot} is not one of 0..${this.part.slots - 1}`);
    if (pos0 + n > this.maxSeq) throw fail('context-overflow', `sequence of ${pos0 + n} tokens exceeds the context of ${this.maxSeq}`);
    const width = this.last ? c.vocabSize : c.dim; // values per output row
    const out = !this.last || all ? new Float32Array(n * width) : null;
    const rowOf = Array.isArray(input) ? 1 : c.dim;
    let gpuMs: number | null = 0, hostMs = 0;
    let last: Float32Array = new Float32Array(0);
    for (let i = 0; i < n; i += this.chunk) {
      const rows = Math.min(this.chunk, n - i);
      last = await this.pass(slot, input.slice(i * rowOf, (i + rows) * rowOf), rows, pos0 + i, all);
      out?.set(last, i * width);
      gpuMs = gpuMs === null || this.lastTiming.gpuMs === null ? null : gpuMs + this.lastTiming.gpuMs;
      hostMs += this.lastTiming.hostMs;
    }
    this.lastTiming = { gpuMs, hostMs };
    return out ?? last;
  }

  /**
   * The only per-call uploads: token ids (or the previous stage's residual stream), the Step uniform of the layers
   * and the one of the final norm and head (rowsOut rows from firstRow). Written from scratch arrays made once.
   */
  private writeInputs(input: number[] | Float32Array, n: number, pos0: number, rowsOut: number, firstRow: number): void {
    const q = this.device.queue, b = this.b, words = this.scratch;
    if (Array.isArray(input)) {
      words.tokens.set(input);
      q.writeBuffer(b.tokens, 0, words.tokens, 0, n);
    } else {
      q.writeBuffer(b.x, 0, input as Float32Array<ArrayBuffer>);
    }
    words.step.set([n, pos0, 0, 0]);
    q.writeBuffer(b.step, 0, words.step);
    if (this.last) {
      words.step.set([rowsOut, pos0, firstRow, 0]);
      q.writeBuffer(b.final, 0, words.step);
    }
  }

  /** One submit: rows of tokens (or x) at pos0; x of every row, or logits of every row (all) or of the last. */
  private async pass(slot: number, input: number[] | Float32Array, n: number, pos0: number, all: boolean, greedy = false): Promise<Float32Array> {
    if (this.lost) throw this.lostError();
    const d = this.device, b = this.b, c = this.config;
    const rowsOut = this.last && !all ? 1 : n;
    const t0 = performance.now();
    this.writeInputs(input, n, pos0, rowsOut, all ? 0 : n - 1);
    const enc = d.createCommandEncoder({ label: 'forward' });
    const timer = this.timer;
    const pass = enc.beginComputePass({
      label: 'forward',
      timestampWrites: timer ? { querySet: timer.query, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } : undefined,
    });
    for (const p of this.passes[slot]) p.encode(pass, p === this.head ? rowsOut : n);
    if (greedy) this.argmax!.encode(pass, 1);
    pass.end();
    // read back only what the caller needs: the greedy token id (4 bytes), the logits, or x for the next stage
    const outBytes = greedy ? 4 : rowsOut * (this.last ? c.vocabSize : c.dim) * 4;
    const tsOffset = b.readback.size - 16; // timestamps sit after the largest output block (8-byte aligned)
    enc.copyBufferToBuffer(greedy ? b.token : this.last ? b.logits : b.x, 0, b.readback, 0, outBytes);
    if (timer) {
      enc.resolveQuerySet(timer.query, 0, 2, timer.resolve, 0);
      enc.copyBufferToBuffer(timer.resolve, 0, b.readback, tsOffset, 16);
    }
    d.queue.submit([enc.finish()]);
    try {
      await b.readback.mapAsync(GPUMapMode.READ);
    } catch (e) {
      // the lost promise may settle just after the failed map: give it a moment before calling this something else
      if (!this.lost) await Promise.race([this.deviceLost, new Promise((r) => setTimeout(r, 100))]);
      throw this.lost ? this.lostError(e) : new Error(`reading the output failed: ${(e as Error).message}`, { cause: e });
    }
    const mapped = b.readback.getMappedRange();
    const out = new Float32Array(mapped.slice(0, outBytes));
    let gpuMs: number | null = null;
    if (timer) {
      const [start, end] = new BigUint64Array(mapped, tsOffset, 2);
      gpuMs = end > start ? Number(end - start) / 1e6 : null;
    }
    b.readback.unmap();
    this.lastTiming = { gpuMs, hostMs: performance.now() - t0 };
    return out;
  }

  /**
   * GPU time of every kernel for `tokens` at pos0 (slot 0), one compute pass per dispatch with timestamps.
   * Needs `timestamp-query`; the KV cache of those positions is written as by a forward.
   */
  async profile(tokens: number[], pos0: number): Promise<KernelTime[]> {
    if (!this.timer) throw new Error('this adapter has no timestamp queries, so GPU time per kernel cannot be measured');
    if (!this.first || !this.last) throw new Error('profile a whole model, not one pipeline stage');
    const n = checkInput(this.config, this.part, tokens);
    if (n > this.chunk || pos0 + n > this.maxSeq) throw new Error(`profile takes at most ${this.chunk} tokens inside the context`);
    const d = this.device;
    this.writeInputs(tokens, n, pos0, 1, n - 1);
    const { l0, l1 } = this.part;
    return timeDispatches(d, this.passes[0], stepNames(true, true, l0, l1), n, 1, this.head);
  }

  /**
   * The trace's debug pass (workers/gpu/trace.ts): slot 0 from position 0 in one chunk, with the buffers the plan
   * asks for copied out between kernels. The KV cache of those positions is written as by a forward.
   */
  async trace(plan: TracePlan): Promise<TraceCapture> {
    if (this.lost) throw this.lostError();
    if (!this.first || !this.last) throw new Error('trace a whole model, not one pipeline stage');
    const n = checkInput(this.config, this.part, plan.tokens), b = this.b, k = this.kernels;
    if (n > this.chunk) throw new Error(`the trace takes at most ${this.chunk} tokens on this GPU, this text has ${n}: shorten it`);
    this.writeInputs(plan.tokens, n, 0, 1, n - 1);
    const targets = { device: this.device, passes: this.passes[0], names: stepNames(true, true, this.part.l0, this.part.l1), head: this.head!,
      lensNorm: (step: GPUBuffer) => k.rmsnorm(step, b.x, k.finalNorm, b.xf), x: b.x, q: b.q, hb: b.hb, hb2: b.hb2, logits: b.logits, kCache: this.kCache[0] };
    try {
      return await traceGpu(targets, this.config, plan);
    } catch (e) {
      throw this.lost ? this.lostError(e) : e;
    }
  }

  /**
   * Greedy decoding's step: runs tokens like forward() and returns only argmax of the last row's logits, picked on
   * the GPU (lowest index among equals, as the CPU's argmax), so a token costs a 4-byte readback, not the vocabulary.
   */
  async greedy(tokens: number[], pos0: number): Promise<number> {
    if (!this.first || !this.last) throw new Error('greedy() runs a whole model, not one pipeline stage');
    const n = checkInput(this.config, this.part, tokens);
    if (pos0 + n > this.maxSeq) throw fail('context-overflow', `sequence of ${pos0 + n} tokens exceeds the context of ${this.maxSeq}`);
    const head = n - ((n - 1) % this.chunk) - 1; // rows before the last chunk
    if (head > 0) await this.run(0, tokens.slice(0, head), pos0);
    const out = await this.pass(0, tokens.slice(head), n - head, pos0 + head, false, true);
    return new Uint32Array(out.buffer, out.byteOffset, 1)[0];
  }

  weightBytes(): number {
    let bytes = 0;
    for (const w of this.weights.values()) bytes += w.bytes;
    return bytes;
  }

  /** GPU bytes by what for, from the buffers themselves: weights per storage format, KV cache, the rest. */
  memory(): MemoryUse {
    const device: Record<string, number> = {};
    for (const w of this.weights.values()) device[w.dtype] = (device[w.dtype] ?? 0) + w.bytes;
    const kv = [...this.kCache, ...this.vCache].flat().reduce((n, x) => n + (x?.size ?? 0), 0);
    return { weights: this.weightBytes(), kv, activations: this.ownedBytes() - kv + this.kernels.bytes(), device };
  }

  tensorStats(): { label: string; dtype: string; bytes: number; stats: QuantStats }[] {
    return [...this.weights].map(([label, w]) => ({ label, dtype: w.dtype, bytes: w.bytes, stats: w.stats }));
  }

  private ownedBytes(): number {
    return this.owned.reduce((s, b) => s + b.size, 0);
  }

  private own(b: GPUBuffer): GPUBuffer { this.owned.push(b); return b; }

  private releaseLinears(): void {
    for (const L of this.linears) if (L) for (const m of LAYER_MATRICES) L[m].destroy();
    this.linears = [];
    this.head?.destroy();
    this.head = null;
  }

  private releaseWeights(): void {
    this.releaseLinears();
    for (const w of this.weights.values()) w.destroy();
    this.weights.clear();
  }

  /** The failure every call gives once the device is gone (the engine recovers from it, workers/engine.ts). */
  private lostError(cause?: unknown): EngineError {
    return new EngineError('device-lost', `the GPU device was lost (${this.lost})`, undefined, { cause });
  }

  dispose(): void {
    this.disposed = true;
    this.releaseWeights();
    this.kernels?.destroy();
    for (const b of this.owned) b.destroy(); // activations, caches, norms
    this.owned = [];
    this.timer?.query.destroy();
    this.device.destroy();
  }
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
