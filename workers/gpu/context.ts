// The GPU device and the few helpers every kernel uses: labelled buffers, pipelines built inside error scopes
// (a WGSL error names its kernel, not "Invalid ComputePipeline"), and one-line messages for people.
import { isCpuAdapter } from '../shared.ts';

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
  /**
   * Most bytes one storage binding (and so one weight buffer) may hold: the device's maxStorageBufferBindingSize
   * and maxBufferSize, or less when asked (tests run the row-chunking path with a small limit).
   */
  bindingLimit: number;
}

export interface GpuOptions {
  /** Lower the storage-binding limit the engine plans with (bytes): larger tensors are split into row chunks. */
  bindingLimit?: number;
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
  const hasTimestamps = adapter.features.has('timestamp-query');
  const device = await adapter.requestDevice({
    label: 'llama',
    requiredLimits,
    requiredFeatures: hasTimestamps ? ['timestamp-query'] : [],
  });
  const info = adapter.info;
  const adapterName = [info?.vendor, info?.architecture, info?.device].filter(Boolean).join(' ') || 'unknown adapter';
  const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  const bindingLimit = Math.floor(Math.min(limit, options.bindingLimit ?? limit) / 16) * 16; // whole vec4s
  return { device, adapterName, hasTimestamps, cpuAdapter: isCpuAdapter(adapterName), bindingLimit };
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
