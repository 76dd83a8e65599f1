// The linear layer on the GPU: y[m, n] = W[n, :] · x[m, :] (or y += for residual adds), with W stored as its
// LinearSpec says (f32, BF16 pairs, FP8 quads + row scales; workers/quant/pack.ts) and decoded in the shader.
// Per call: FP8 W8A8 first quantizes x per token row (quantize_fp8_rows); then one token (m = 1) runs a GEMV
// (memory-bound: the decode step), several rows a tiled GEMM (the prefill step). The CPU twin, with the exact
// formulas, is workers/reference/linear.ts; tolerances are in docs/precision.md.
// Shapes live in a small uniform per linear, so one pipeline per kernel and tuning serves every layer (pipelines
// are cached per device by code + constants); buffers and bind groups are made once here: encode() only records.
// Weights split into row chunks (workers/gpu/weights.ts) run one dispatch per chunk into their columns of y.
import type { LinearSpec } from '../quant/types.ts';
import { packMatrix } from '../quant/pack.ts';
import { F32_MAX } from '../quant/scale.ts';
import { createPipeline, groups, storageBuffer, uniformBuffer, type GpuContext } from './context.ts';
import { uploadPacked, type GpuWeights } from './weights.ts';
import quant from '../kernels/quant.wgsl?raw';
import gemvCore from '../kernels/matmul_gemv.wgsl?raw';
import gemvShared from '../kernels/matmul_gemv_shared.wgsl?raw';
import gemvSubgroup from '../kernels/matmul_gemv_subgroup.wgsl?raw';
import gemmCore from '../kernels/matmul_gemm.wgsl?raw';
import f32Gemv from '../kernels/matmul_f32_gemv.wgsl?raw';
import bf16Gemv from '../kernels/matmul_bf16_gemv.wgsl?raw';
import fp8Formats from '../kernels/matmul_fp8_formats.wgsl?raw';
import fp8Gemv from '../kernels/matmul_fp8_gemv.wgsl?raw';
import fp8a8Gemv from '../kernels/matmul_fp8a8_gemv.wgsl?raw';
import f32Gemm from '../kernels/matmul_f32_gemm.wgsl?raw';
import bf16Gemm from '../kernels/matmul_bf16_gemm.wgsl?raw';
import fp8Gemm from '../kernels/matmul_fp8_gemm.wgsl?raw';
import fp8a8Gemm from '../kernels/matmul_fp8a8_gemm.wgsl?raw';
import quantizeRows from '../kernels/quantize_fp8_rows.wgsl?raw';

export interface GpuLinearIO {
  x: GPUBuffer; // f32 [maxRows, k]
  y: GPUBuffer; // f32 [maxRows, n]
  /** A uniform buffer whose first u32 is m, the rows of x in this submit (m <= maxRows), written by the engine. */
  rows: GPUBuffer;
  maxRows: number;
  /** y += W x (the residual adds of wo and w2) instead of y = W x. */
  accumulate?: boolean;
  /**
   * GEMV lanes per row (a power of two, at most 32); default gemvLanes(). For tuning and tests. With subgroup
   * reductions, lanes > 1 picks the subgroup GEMV, whose lanes are the subgroup's invocations.
   */
  lanes?: number;
}

export interface GpuLinear {
  label: string;
  spec: LinearSpec;
  n: number;
  k: number;
  /** Bytes of the packed weights and scales on the GPU (what one token's GEMV reads). */
  bytes: number;
  /** The GEMV pipeline's name, which says the reduction: "matmul_fp8_gemv" or "matmul_fp8_gemv.subgroup". */
  gemvKernel: string;
  encode(pass: GPUComputePassEncoder, m: number): void;
  destroy(): void;
}

type Kind = 'f32' | 'bf16' | 'fp8' | 'fp8a8';

const gemvSources = (helpers: string, dtype: string) => ({
  gemv: helpers + gemvCore + gemvShared + dtype,
  gemvSubgroup: `enable subgroups;\n${helpers}${gemvCore}${gemvSubgroup}${dtype}`,
});

/**
 * The kernels, as complete WGSL sources: helpers + core + entry point + the dtype's loads. gemv reduces a row's
 * lanes in shared memory (every device), gemvSubgroup with subgroupAdd (devices with `subgroups`).
 */
export const MATMUL_KERNELS: Record<Kind, { gemv: string; gemvSubgroup: string; gemm: string }> = {
  f32: { ...gemvSources(quant, f32Gemv), gemm: quant + gemmCore + f32Gemm },
  bf16: { ...gemvSources(quant, bf16Gemv), gemm: quant + gemmCore + bf16Gemm },
  fp8: { ...gemvSources(quant + fp8Formats, fp8Gemv), gemm: quant + fp8Formats + gemmCore + fp8Gemm },
  fp8a8: { ...gemvSources(quant + fp8Formats, fp8a8Gemv), gemm: quant + fp8Formats + gemmCore + fp8a8Gemm },
};

/**
 * Rows per workgroup of the subgroup GEMV (one subgroup per row): WG / subgroupMaxSize, so that every subgroup has a
 * row when subgroups are as wide as the adapter allows; narrower ones take several rows each in turn.
 */
export const gemvSubgroupRows = (sizes: [number, number]) => Math.max(1, Math.floor(GEMV_WG / sizes[1]));
export const QUANTIZE_KERNEL = quant + quantizeRows;

const cache = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();

/** A compute pipeline for code + constants, built once per device. */
export function cachedPipeline(device: GPUDevice, name: string, code: string, constants: Record<string, number>): Promise<GPUComputePipeline> {
  let byKey = cache.get(device);
  if (!byKey) cache.set(device, (byKey = new Map()));
  const key = `${code}\n${JSON.stringify(Object.entries(constants).sort())}`;
  let p = byKey.get(key);
  if (!p) {
    p = createPipeline(device, name, code, constants);
    p.catch(() => byKey.delete(key)); // a failed build is retried next time
    byKey.set(key, p);
  }
  return p;
}

/** Workgroups for a 1-D grid, folded into (x, y) when above the per-dimension limit. */
export function grid(count: number, limit = 65535): [number, number] {
  return count <= limit ? [count, 1] : [limit, Math.ceil(count / limit)];
}

/**
 * GEMV lanes per row. On a GPU: up to 32 (a warp) while each lane still loads at least 4 vec4 words of the row.
 * On a CPU implementation (SwiftShader, llvmpipe) barriers cost more than lanes gain: one thread per row
 * (measured on SwiftShader: 512x512 f32 1.8 ms with 1 lane, 17 ms with 32).
 */
export function gemvLanes(kv: number, adapterName = ''): number {
  if (/swiftshader|llvmpipe|lavapipe/i.test(adapterName)) return 1;
  let tpr = 1;
  while (tpr < 32 && tpr * 2 * 4 <= kv) tpr *= 2;
  return tpr;
}

/** The Params uniform of quantize_fp8_rows: k, words per row, the amax bound (f32), padding. */
export function quantizeParams(k: number, kw: number, bound: number | null): Uint32Array {
  const words = new Uint32Array([k, kw, 0, 0]);
  new Float32Array(words.buffer)[2] = bound ?? F32_MAX;
  return words;
}

export const GEMV_WG = 128;
export const GEMM_TILE = 32; // TM = TN = 4 * 8

/** From f32 values in memory (tests, benchmarks): packs, uploads and wraps them; destroy() frees the weights too. */
export async function createGpuLinear(ctx: GpuContext, label: string, w: Float32Array, n: number, k: number,
  spec: LinearSpec, io: GpuLinearIO): Promise<GpuLinear> {
  const weights = uploadPacked(ctx, `${label}.${spec.dtype}`, packMatrix(w, n, k, spec), spec);
  const lin = await gpuLinear(ctx, label, weights, spec, io);
  return { ...lin, destroy() { lin.destroy(); weights.destroy(); } };
}

/**
 * The dispatches of y = W x over packed weights (one per row chunk, each writing its columns of y), plus FP8
 * activation quantization, done once for all chunks. The weights are not owned: a tied head shares the
 * embedding's; destroy() frees only what the linear made (uniforms, the quantized x).
 */
export async function gpuLinear(ctx: GpuContext, label: string, weights: GpuWeights, spec: LinearSpec, io: GpuLinearIO): Promise<GpuLinear> {
  const d = ctx.device;
  const { n, k, kPacked } = weights;
  const fp8 = spec.dtype === 'fp8e4m3' || spec.dtype === 'fp8e5m2';
  if (weights.dtype !== spec.dtype) throw new Error(`${label}: ${weights.dtype} weights cannot run as ${spec.dtype}`);
  const act = fp8 ? spec.act : null;
  const kind: Kind = fp8 ? (act ? 'fp8a8' : 'fp8') : spec.dtype === 'bf16' ? 'bf16' : 'f32';
  const kv = kPacked / 4;

  const owned: GPUBuffer[] = [];
  const xqBuf = act ? storageBuffer(d, `${label}.xq.${act}`, io.maxRows * kPacked * 4) : null;
  const xsBuf = act ? storageBuffer(d, `${label}.x_scale`, io.maxRows * 4) : null;
  if (xqBuf) owned.push(xqBuf, xsBuf!);
  const formats = { ...(fp8 ? { W_E5M2: spec.dtype === 'fp8e5m2' ? 1 : 0 } : {}), ...(act ? { X_E5M2: act === 'fp8e5m2' ? 1 : 0 } : {}) };
  const xBindings = act ? [2, 3] : [1];
  const wBindings = fp8 ? [4, 5] : [4];

  const tpr = io.lanes ?? (ctx.cpuAdapter ? 1 : gemvLanes(kv));
  if (!(Number.isInteger(Math.log2(tpr)) && tpr <= 32)) throw new Error(`${label}: GEMV lanes must be a power of two up to 32, not ${tpr}`);
  // where the fallback reduces across lanes (tpr > 1), a device with subgroups gives each row a subgroup instead
  const sg = ctx.reduction === 'subgroup' && tpr > 1;
  const rowsPerGroup = sg ? gemvSubgroupRows(ctx.features.subgroupSizes!) : GEMV_WG / tpr;
  const gemvKernel = `matmul_${kind}_gemv${sg ? '.subgroup' : ''}`;
  const gemv = sg
    ? await cachedPipeline(d, gemvKernel, MATMUL_KERNELS[kind].gemvSubgroup, { WG: GEMV_WG, ROWS: rowsPerGroup, ...formats })
    : await cachedPipeline(d, gemvKernel, MATMUL_KERNELS[kind].gemv, { WG: GEMV_WG, TPR: tpr, ...formats });
  const gemm = io.maxRows > 1 ? await cachedPipeline(d, `matmul_${kind}_gemm`, MATMUL_KERNELS[kind].gemm, formats) : null;

  // one Dims uniform and bind groups per chunk: binding -> buffer, as every matmul kernel numbers them
  const parts = weights.chunks.map((c, i) => {
    const name = weights.chunks.length > 1 ? `${label}.rows${c.r0}` : label;
    const dims = uniformBuffer(d, `${name}.dims`, [c.rows, k, kv, io.accumulate ? 1 : 0, n, c.r0, 0, 0]);
    owned.push(dims);
    const all: Record<number, GPUBuffer | null> = { 0: io.rows, 1: io.x, 2: xqBuf, 3: xsBuf, 4: c.w, 5: c.s, 6: io.y, 7: dims };
    const bindGroup = (pipeline: GPUComputePipeline, what: string, bindings: number[]) => d.createBindGroup({
      label: `${name}.${what}`,
      layout: pipeline.getBindGroupLayout(0),
      entries: bindings.map((b) => ({ binding: b, resource: { buffer: all[b]! } })),
    });
    return {
      rows: c.rows, i,
      gemvBind: bindGroup(gemv, 'gemv', [...xBindings, ...wBindings, 6, 7]),
      gemvGrid: grid(Math.ceil(c.rows / rowsPerGroup)),
      gemmBind: gemm ? bindGroup(gemm, 'gemm', [0, ...xBindings, ...wBindings, 6, 7]) : null,
    };
  });

  let quantize: GPUComputePipeline | null = null, quantizeBind: GPUBindGroup | null = null;
  if (act) {
    quantize = await cachedPipeline(d, `quantize_${act}_rows`, QUANTIZE_KERNEL, { E5M2: act === 'fp8e5m2' ? 1 : 0 });
    const params = uniformBuffer(d, `${label}.quantize.params`, quantizeParams(k, kPacked, spec.actBound), 'raw');
    owned.push(params);
    quantizeBind = d.createBindGroup({
      label: `${label}.quantize`,
      layout: quantize.getBindGroupLayout(0),
      entries: [io.rows, io.x, xqBuf!, xsBuf!, params].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
  }

  return {
    label, spec, n, k, bytes: weights.bytes, gemvKernel,
    encode(pass: GPUComputePassEncoder, m: number) {
      if (!(Number.isInteger(m) && m >= 1 && m <= io.maxRows)) throw new Error(`${label}: ${m} rows, expected 1..${io.maxRows}`);
      if (quantize) {
        pass.setPipeline(quantize);
        pass.setBindGroup(0, quantizeBind!);
        pass.dispatchWorkgroups(m);
      }
      for (const p of parts) {
        if (m === 1) {
          pass.setPipeline(gemv);
          pass.setBindGroup(0, p.gemvBind);
          pass.dispatchWorkgroups(p.gemvGrid[0], p.gemvGrid[1]);
        } else {
          pass.setPipeline(gemm!);
          pass.setBindGroup(0, p.gemmBind!);
          pass.dispatchWorkgroups(groups(p.rows, GEMM_TILE), groups(m, GEMM_TILE));
        }
      }
    },
    destroy() {
      for (const b of owned) b.destroy();
      owned.length = 0;
    },
  };
}
