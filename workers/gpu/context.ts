// The GPU device and the few helpers every kernel uses: labelled buffers, pipelines built inside error scopes
// (a WGSL error names its kernel, not "Invalid ComputePipeline"), and one-line messages for people.
import { isCpuAdapter } from '../shared.ts';
import type { Reduction } from '../kernels/registry.ts';

/** Optional features the device was created with: each is requested when the adapter offers it. */
export interface GpuFeatures {
  timestampQuery: boolean;
  /** `subgroups`, and the WGSL `subgroup_id` builtins the workgroup reductions index their shared array with. */
  subgroups: boolean;
  /** adapter.info's subgroupMinSize and subgroupMaxSize (WebGPU's widest range, 4..128, where it does not say). */
  subgroupSizes: [number, number] | null;
  /**
   * `shader-f16`: requested and shown, used by no kernel. f16 holds every FP8 value exactly, but the FP8 decoders
   * already produce them exactly in f32 without it, BF16 (8 exponent bits) does not fit f16, and products or sums in
   * f16 would change the model's numbers (docs/precision.md).
   */
  shaderF16: boolean;
}

export interface GpuContext {
  device: GPUDevice;
  adapterName: string;
  /** Features the kernels may use. */
  hasTimestamps: boolean;
  /**
   * A CPU implementation of the GPU (SwiftShader, llvmpipe): workgroup barriers cost far more than arithmetic
   * there, so kernels pick barrier-free variants (same results; the parity tests run both).
   */
  cpuAdapter: boolean;
  features: GpuFeatures;
  /**
   * How the kernels' cross-thread reductions run (GEMV lanes, rmsnorm, attention): 'subgroup' on a GPU with
   * subgroups; 'shared' (the shared-memory trees) elsewhere, including CPU adapters, whose default kernels have no
   * cross-thread reduction to speed up. Pipeline labels end in ".subgroup" where it is used.
   */
  reduction: Reduction;
  /**
   * Most bytes one storage binding (and so one weight buffer) may hold: the device's maxStorageBufferBindingSize
   * and maxBufferSize, or less when asked (tests run the row-chunking path with a small limit).
   */
  bindingLimit: number;
}

export interface GpuOptions {
  /** Lower the storage-binding limit the engine plans with (bytes): larger tensors are split into row chunks. */
  bindingLimit?: number;
  /** Force the reductions (tests, benchmarks): 'subgroup' fails where the device has no subgroups. */
  reduction?: Reduction;
}

/** The default reduction: subgroup operations on a GPU that has them, the shared-memory trees elsewhere. */
export function pickReduction(f: GpuFeatures, cpuAdapter: boolean): Reduction {
  return f.subgroups && !cpuAdapter ? 'subgroup' : 'shared';
}

/** The features line people see next to the adapter (the model panel, the benchmark). */
export function describeFeatures(f: GpuFeatures, reduction: Reduction): string {
  const on = [f.subgroups && `subgroups ${f.subgroupSizes![0] === f.subgroupSizes![1] ? f.subgroupSizes![0] : f.subgroupSizes!.join('-')}`,
    f.shaderF16 && 'shader-f16', f.timestampQuery && 'timestamp-query'].filter(Boolean);
  return `${on.join(', ') || 'no optional features'}; reductions: ${reduction === 'subgroup' ? 'subgroupAdd' : 'shared memory'}`;
}

/** A module that compiles only where WGSL has the subgroup_id builtins (for runtimes that do not list wgslLanguageFeatures). */
const SUBGROUP_ID_PROBE = 'enable subgroups;\n@compute @workgroup_size(4) fn main(@builtin(subgroup_id) s: u32, @builtin(num_subgroups) n: u32) { _ = s + n; }';

async function compiles(device: GPUDevice, code: string): Promise<boolean> {
  device.pushErrorScope('validation');
  device.createShaderModule({ label: 'feature-probe', code });
  return (await device.popErrorScope()) === null;
}

/** Requests an adapter and a device with the largest storage-buffer limits the adapter offers. */
export async function createGpuContext(options: GpuOptions = {}): Promise<GpuContext> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) throw new Error('WebGPU is not available in this browser: use a recent Chrome or Edge, or the CPU engine');
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('No WebGPU adapter was found: the GPU may be blocklisted or disabled; the CPU engine will be used');
  const want = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize',
    'maxComputeInvocationsPerWorkgroup', 'maxStorageBuffersPerShaderStage', 'maxComputeWorkgroupsPerDimension'] as const;
  const requiredLimits: Record<string, number> = {};
  for (const k of want) requiredLimits[k] = adapter.limits[k];
  const offered = (f: GPUFeatureName) => adapter.features.has(f);
  const requiredFeatures = (['timestamp-query', 'subgroups', 'shader-f16'] as const).filter(offered);
  const device = await adapter.requestDevice({ label: 'llama', requiredLimits, requiredFeatures });
  // subgroup_id / num_subgroups index the reductions' shared array: without them the subgroup kernels are not built
  const subgroups = device.features.has('subgroups') && (gpu.wgslLanguageFeatures?.has('subgroup_id') || await compiles(device, SUBGROUP_ID_PROBE));
  const info = adapter.info;
  const adapterName = [info?.vendor, info?.architecture, info?.device].filter(Boolean).join(' ') || 'unknown adapter';
  const cpuAdapter = isCpuAdapter(adapterName);
  const features: GpuFeatures = {
    timestampQuery: device.features.has('timestamp-query'),
    subgroups,
    subgroupSizes: subgroups ? [info?.subgroupMinSize ?? 4, info?.subgroupMaxSize ?? 128] : null,
    shaderF16: device.features.has('shader-f16'),
  };
  if (options.reduction === 'subgroup' && !features.subgroups) {
    device.destroy();
    throw new Error(`subgroup reductions were asked for, but ${adapterName} has ${offered('subgroups') ? 'no WGSL subgroup_id' : 'no subgroups feature'}`);
  }
  const reduction = options.reduction ?? pickReduction(features, cpuAdapter);
  const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  const bindingLimit = Math.floor(Math.min(limit, options.bindingLimit ?? limit) / 16) * 16; // whole vec4s
  return { device, adapterName, hasTimestamps: features.timestampQuery, cpuAdapter, features, reduction, bindingLimit };
}

/** A storage buffer with a label, optionally initialised from data. */
export function storageBuffer(device: GPUDevice, label: string, bytes: number, data?: ArrayBufferView, extraUsage = 0): GPUBuffer {
  const size = Math.max(16, Math.ceil(Math.max(bytes, data?.byteLength ?? 0) / 4) * 4);
  const buffer = device.createBuffer({
    label,
    size,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST | extraUsage,
    mappedAtCreation: data !== undefined,
  });
  if (data) {
    new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    buffer.unmap();
  }
  return buffer;
}

/** A uniform buffer holding u32/f32 words. */
export function uniformBuffer(device: GPUDevice, label: string, words: ArrayLike<number> | ArrayBufferView, kind: 'u32' | 'raw' = 'u32'): GPUBuffer {
  const data = kind === 'u32' ? new Uint32Array(words as ArrayLike<number>) : (words as ArrayBufferView);
  const size = Math.max(16, Math.ceil(data.byteLength / 16) * 16);
  const buffer = device.createBuffer({ label, size, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, mappedAtCreation: true });
  new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  buffer.unmap();
  return buffer;
}

/** Builds a compute pipeline inside a validation scope; a WGSL error throws with the kernel's label and message. */
export async function createPipeline(device: GPUDevice, label: string, code: string, constants?: Record<string, number>): Promise<GPUComputePipeline> {
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ label, code });
  const pipeline = device.createComputePipeline({ label, layout: 'auto', compute: { module, entryPoint: 'main', constants } });
  const error = await device.popErrorScope();
  if (error) {
    const info = await module.getCompilationInfo();
    const first = info.messages.find((m) => m.type === 'error');
    throw new Error(`kernel ${label} failed to compile: ${first ? `line ${first.lineNum}: ${first.message}` : error.message}`);
  }
  return pipeline;
}

/** Copies a GPU buffer back to the CPU (tests, sampling readback). */
export async function readBuffer(device: GPUDevice, src: GPUBuffer, bytes: number, offset = 0): Promise<ArrayBuffer> {
  const size = Math.ceil(bytes / 4) * 4;
  const staging = device.createBuffer({ label: `${src.label}.readback`, size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder({ label: 'readback' });
  enc.copyBufferToBuffer(src, offset, staging, 0, size);
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = staging.getMappedRange().slice(0, bytes);
  staging.unmap();
  staging.destroy();
  return out;
}

/** Number of workgroups to cover n items with groups of size g. */
export const groups = (n: number, g: number) => Math.max(1, Math.ceil(n / g));
