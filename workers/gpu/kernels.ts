// Pipelines and bind groups for the non-matmul kernels (workers/kernels/registry.ts), made once at load. Each
// helper returns a Dispatch: something the forward pass encodes with the number of rows of the current call.
import type { LlamaConfig } from '../model/config.ts';
import type { LlamaWeights } from '../model/weights.ts';
import { isLast, type ForwardPart } from '../pipeline/split.ts';
import type { GpuWeights } from './weights.ts';
import { KERNELS, entries, reducedKernel, type KernelName } from '../kernels/registry.ts';
import { createPipeline, groups, uniformBuffer, type GpuContext } from './context.ts';

export interface Dispatch {
  label?: string;
  encode(pass: GPUComputePassEncoder, m: number): void;
}

type Alloc = (label: string, bytes: number, data?: ArrayBufferView) => GPUBuffer;
const WG = 64;

export class GpuKernels {
  layerNorms: { attnNorm: GPUBuffer; ffnNorm: GPUBuffer }[] = [];
  finalNorm!: GPUBuffer;
  private dummy!: GPUBuffer[]; // stand-ins for the cache bindings of the in-place rope (never written)
  private params = new Map<string, GPUBuffer>();

  private constructor(private readonly ctx: GpuContext, private readonly c: LlamaConfig,
    private readonly pipelines: Record<Exclude<KernelName, 'attentionOnline'> | 'ropeStore' | 'embedBf16', GPUComputePipeline>, private readonly step: GPUBuffer,
    private readonly ropeTable: GPUBuffer, private readonly onlineAttention: boolean) {}

  /**
   * barrierFree (default: on CPU adapters) picks the variants without workgroup barriers: one thread per row for
   * rmsnorm, an online-softmax thread per (head, row) for attention. Results agree with the CPU twin either way.
   * Otherwise rmsnorm's and attention's workgroup reductions are built as ctx.reduction says (subgroup ops or the
   * shared-memory tree); the pipeline label names the build ("rmsnorm.subgroup").
   */
  static async create(ctx: GpuContext, c: LlamaConfig, weights: LlamaWeights, maxSeq: number, step: GPUBuffer, ropeTable: GPUBuffer, alloc: Alloc,
    part: ForwardPart, barrierFree = ctx.cpuAdapter): Promise<GpuKernels> {
    const d = ctx.device;
    // the workgroup kernel keeps a row's scores (maxSeq floats) in workgroup memory; longer contexts use the online one
    const online = barrierFree || maxSeq * 4 + WG * 4 > d.limits.maxComputeWorkgroupStorageSize;
    if (online && c.headDim > 256) throw new Error(`headDim ${c.headDim} is over the 256 the online attention kernel holds: lower the context`);
    const interleaved = c.ropeStyle === 'interleaved';
    const sg = ctx.reduction === 'subgroup';
    const reduced = (name: 'rmsnorm' | 'attention', constants: Record<string, number>) => createPipeline(d, sg ? `${name}.subgroup` : name,
      reducedKernel(name, ctx.reduction), sg ? { ...constants, SG_MIN: ctx.features.subgroupSizes![0] } : constants);
    const pipelines = {
      embed: await createPipeline(d, 'embed', KERNELS.embed, { WG }),
      embedBf16: await createPipeline(d, 'embed.bf16', KERNELS.embed, { WG, BF16: 1 }),
      rmsnorm: barrierFree ? await createPipeline(d, 'rmsnorm', KERNELS.rmsnorm, { WG: 1 }) : await reduced('rmsnorm', { WG }),
      rope: await createPipeline(d, 'rope', KERNELS.rope, { WG, INTERLEAVED: interleaved ? 1 : 0 }),
      ropeStore: await createPipeline(d, 'rope.store_kv', KERNELS.rope, { WG, INTERLEAVED: interleaved ? 1 : 0, STORE: 1 }),
      attention: online
        ? await createPipeline(d, 'attention.online', KERNELS.attentionOnline, {})
        : await reduced('attention', { WG, MAX_SEQ: maxSeq }),
      swiglu: await createPipeline(d, 'swiglu', KERNELS.swiglu, { WG }),
      argmax: await createPipeline(d, 'argmax', KERNELS.argmax, { WG: barrierFree ? 16 : 256 }),
    };
    const k = new GpuKernels(ctx, c, pipelines, step, ropeTable, online);
    for (let l = part.l0; l < part.l1; l++) {
      const lw = weights.layers[l];
      k.layerNorms[l] = {
        attnNorm: alloc(`L${l}.attn_norm`, lw.attnNorm.byteLength, lw.attnNorm),
        ffnNorm: alloc(`L${l}.ffn_norm`, lw.ffnNorm.byteLength, lw.ffnNorm),
      };
    }
    if (isLast(c, part)) k.finalNorm = alloc('final_norm', weights.finalNorm.byteLength, weights.finalNorm);
    k.dummy = [alloc('rope.dummy.extra', 16), alloc('rope.dummy.k', 16), alloc('rope.dummy.v', 16)];
    return k;
  }

  private uniform(key: string, words: number[] | Float32Array): GPUBuffer {
    let b = this.params.get(key);
    if (!b) {
      const data = words instanceof Float32Array ? words : new Uint32Array(words);
      b = uniformBuffer(this.ctx.device, `${key}.params`, data, 'raw');
      this.params.set(key, b);
    }
    return b;
  }

  private dispatch(label: string, pipeline: GPUComputePipeline, buffers: GPUBuffer[], size: (m: number) => [number, number]): Dispatch {
    const bindGroup = this.ctx.device.createBindGroup({ label, layout: pipeline.getBindGroupLayout(0), entries: entries(buffers) });
    return {
      label,
      encode(pass, m) {
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, bindGroup);
        const [x, y] = size(m);
        pass.dispatchWorkgroups(x, y);
      },
    };
  }

  /** x[r] = E[tokens[r]]: one dispatch per row chunk of the table (each copies the rows it holds). */
  embed(tokens: GPUBuffer, table: GpuWeights, x: GPUBuffer): Dispatch {
    const c = this.c, bf16 = table.dtype === 'bf16';
    if (!bf16 && table.dtype !== 'f32') throw new Error(`the token embedding is f32 or bf16, not ${table.dtype}`);
    const pipeline = bf16 ? this.pipelines.embedBf16 : this.pipelines.embed;
    const parts = table.chunks.map((chunk) => {
      const params = this.uniform(`embed.${table.label}.${chunk.r0}`, [c.dim, table.kPacked, chunk.r0, chunk.rows, c.vocabSize, 0, 0, 0]);
      return this.dispatch(`embed.${chunk.w.label}`, pipeline, [this.step, params, tokens, chunk.w, x], (m) => [groups(c.dim, WG), m]);
    });
    return { label: `embed.${table.label}`, encode: (pass, m) => { for (const p of parts) p.encode(pass, m); } };
  }

  /** out = rmsnorm(x[first_row ..]) * w; `step` picks the rows (the final norm may read only the last). */
  rmsnorm(step: GPUBuffer, x: GPUBuffer, w: GPUBuffer, out: GPUBuffer): Dispatch {
    const p = new Float32Array(4);
    new Uint32Array(p.buffer)[0] = this.c.dim;
    p[1] = this.c.normEps;
    const params = this.uniform('rmsnorm', p);
    return this.dispatch(`rmsnorm.${w.label}`, this.pipelines.rmsnorm, [step, params, x, w, out], (m) => [m, 1]);
  }

  /** Rotates q in place. */
  ropeQ(q: GPUBuffer): Dispatch {
    const c = this.c, half = c.headDim / 2;
    const params = this.uniform('rope.q', [c.nHeads, c.headDim, 0, 0]);
    return this.dispatch('rope.q', this.pipelines.rope, [this.step, params, this.ropeTable, q, ...this.dummy], (m) => [groups(c.nHeads * half, WG), m]);
  }

  /** Rotates k, then writes k and v rows into the layer's cache at positions pos0 .. */
  ropeStoreKv(k: GPUBuffer, v: GPUBuffer, kCache: GPUBuffer, vCache: GPUBuffer): Dispatch {
    const c = this.c, half = c.headDim / 2;
    const params = this.uniform('rope.k', [c.nKvHeads, c.headDim, 0, 0]);
    return this.dispatch(`rope.store.${kCache.label}`, this.pipelines.ropeStore, [this.step, params, this.ropeTable, k, v, kCache, vCache], (m) => [groups(c.nKvHeads * half, WG), m]);
  }

  attention(q: GPUBuffer, kCache: GPUBuffer, vCache: GPUBuffer, out: GPUBuffer): Dispatch {
    const c = this.c;
    const p = new Float32Array(4);
    new Uint32Array(p.buffer).set([c.nHeads, c.nKvHeads, c.headDim]);
    p[3] = 1 / Math.sqrt(c.headDim);
    const params = this.uniform('attention', p);
    const size = (m: number): [number, number] => (this.onlineAttention ? [groups(c.nHeads, 8), m] : [c.nHeads, m]);
    return this.dispatch(`attention.${kCache.label}`, this.pipelines.attention, [this.step, params, q, kCache, vCache, out], size);
  }

  /** h1 = silu(h1) * h3 */
  swiglu(h1: GPUBuffer, h3: GPUBuffer): Dispatch {
    const c = this.c;
    const params = this.uniform('swiglu', [c.hiddenDim, 0, 0, 0]);
    return this.dispatch('swiglu', this.pipelines.swiglu, [this.step, params, h1, h3], (m) => [groups(m * c.hiddenDim, WG), 1]);
  }

  /** token[0] = argmax(logits[0 .. vocab)) for greedy decoding. */
  argmax(logits: GPUBuffer, token: GPUBuffer): Dispatch {
    const params = this.uniform('argmax', [this.c.vocabSize, 0, 0, 0]);
    return this.dispatch('argmax', this.pipelines.argmax, [params, logits, token], () => [1, 1]);
  }

  /** Bytes of the kernels' own uniforms. */
  bytes(): number {
    let n = 0;
    for (const b of this.params.values()) n += b.size;
    return n;
  }

  destroy(): void {
    for (const b of this.params.values()) b.destroy();
    this.params.clear();
  }
}
