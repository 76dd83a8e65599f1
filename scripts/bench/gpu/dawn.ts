// Dawn for Node: loads dawn.node (npm `webgpu`), installs navigator.gpu, and names the adapter it finds.
import { pathToFileURL } from 'node:url';
import type { Args } from './args.ts';

interface DawnModule { create(options: string[]): GPU; globals: Record<string, unknown> }

/** Loads dawn.node through the `webgpu` package's index.js and installs navigator.gpu and the GPU* globals. */
export async function setupDawn(a: Args): Promise<GPU> {
  let mod: DawnModule;
  try {
    mod = (await import(pathToFileURL(a.webgpu).href)) as DawnModule;
  } catch (e) {
    throw new Error(`could not load Dawn for Node from ${a.webgpu} (${(e as Error).message}): run scripts/bench/gpu-prepare.sh, or pass --webgpu PATH/TO/webgpu/index.js`, { cause: e });
  }
  Object.assign(globalThis, mod.globals);
  const gpu = mod.create(a.dawn);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  return gpu;
}

export interface GpuInfo { name: string; vendor: string; architecture: string; device: string; description: string; features: string[]; limits: Record<string, number> }

export async function describeGpu(gpu: GPU): Promise<GpuInfo> {
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('Dawn found no WebGPU adapter: no Vulkan driver (check VK_ICD_FILENAMES / VK_DRIVER_FILES and that libvulkan.so.1 loads)');
  const i = adapter.info;
  const limits: Record<string, number> = {};
  for (const k of ['maxBufferSize', 'maxStorageBufferBindingSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup'] as const) limits[k] = adapter.limits[k];
  const description = i.description ?? '';
  const parts = [i.vendor, i.architecture, i.device].filter(Boolean).join(' ');
  return {
    name: description ? `${description}${parts ? ` (${parts})` : ''}` : parts || 'unknown adapter',
    vendor: i.vendor, architecture: i.architecture, device: i.device, description,
    features: [...adapter.features].sort(), limits,
  };
}
