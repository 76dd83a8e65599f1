// The non-matmul kernels of the forward pass (matmuls live in workers/gpu/linear.ts). Each entry: its WGSL with
// the shared Step struct prepended (WGSL has no #include) and its bindings in order, so the engine and the
// parity tests build the same pipelines. Kernels that reduce across a workgroup (rmsnorm, attention) get their
// reduction prepended too, chosen per device: reduce_shared.wgsl (a shared-memory tree, everywhere) or
// reduce_subgroup.wgsl (subgroupAdd / subgroupMax, with `enable subgroups;` first) — one kernel source, two builds.
import common from './common.wgsl?raw';
import reduceShared from './reduce_shared.wgsl?raw';
import reduceSubgroup from './reduce_subgroup.wgsl?raw';
import embed from './embed.wgsl?raw';
import rmsnorm from './rmsnorm.wgsl?raw';
import rope from './rope.wgsl?raw';
import attention from './attention.wgsl?raw';
import attentionOnline from './attention_online.wgsl?raw';
import swiglu from './swiglu.wgsl?raw';
import argmax from './argmax.wgsl?raw';

/** How a kernel's threads combine partial sums and maxima: 'shared' memory (the fallback) or 'subgroup' operations. */
export type Reduction = 'shared' | 'subgroup';

/** The module header and reduction snippet of a build: WGSL directives such as `enable` must come first. */
export function withReduction(code: string, reduction: Reduction): string {
  return reduction === 'subgroup' ? `enable subgroups;\n${reduceSubgroup}${code}` : reduceShared + code;
}

export const KERNELS = {
  // step, params, tokens, table, x
  embed: common + embed,
  // step, params, x, w, out (the shared-memory build; reducedKernel() gives either)
  rmsnorm: withReduction(common + rmsnorm, 'shared'),
  // step, params, table, v, extra, k_cache, v_cache
  rope: common + rope,
  // step, params, q, k_cache, v_cache, out (the shared-memory build; reducedKernel() gives either)
  attention: withReduction(common + attention, 'shared'),
  // same bindings as attention; one thread per (head, row), no barriers (CPU adapters)
  attentionOnline: common + attentionOnline,
  // step, params, h1, h3
  swiglu: common + swiglu,
  // params, logits, token (no step: it reads one row)
  argmax,
} as const;

export type KernelName = keyof typeof KERNELS;

/** rmsnorm or attention built with the given reduction. */
export function reducedKernel(name: 'rmsnorm' | 'attention', reduction: Reduction): string {
  return withReduction(common + (name === 'rmsnorm' ? rmsnorm : attention), reduction);
}

/** Bind group entries from buffers in binding order. */
export function entries(buffers: GPUBuffer[]): GPUBindGroupEntry[] {
  return buffers.map((buffer, binding) => ({ binding, resource: { buffer } }));
}

/** The Step uniform: rows in the pass, position of row 0, first input row (see common.wgsl). */
export function stepWords(m: number, pos0: number, firstRow = 0): Uint32Array<ArrayBuffer> {
  return new Uint32Array([m, pos0, firstRow, 0]);
}
