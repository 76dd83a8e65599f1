import { expect, test } from 'vitest';
import { gpu } from './harness.ts';

test('a WebGPU adapter is available (SwiftShader in headless Chromium)', async () => {
  const ctx = await gpu();
  if (!ctx) return;
  expect(ctx.device.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 << 20);
  console.log(`adapter: ${ctx.adapterName}; timestamps: ${ctx.hasTimestamps}`);
});

test('a kernel that does not compile fails with its name and the line of the first error; a good one builds', async () => {
  const ctx = await gpu();
  if (!ctx) return;
  const { createPipeline } = await import('../../workers/gpu/context.ts');
  const good = '@group(0) @binding(0) var<storage, read_write> y: array<f32>;\n@compute @workgroup_size(1) fn main() { y[0] = 1.0; }';
  const bad = '@group(0) @binding(0) var<storage, read_write> y: array<f32>;\n@compute @workgroup_size(1) fn main() { y[0] = undefined_name; }';
  await expect(createPipeline(ctx.device, 'good', good)).resolves.toBeDefined();
  await expect(createPipeline(ctx.device, 'bad_kernel', bad)).rejects.toThrow(/^kernel bad_kernel failed to compile: line 2: .*undefined_name/);
  // a pipeline error (an entry point's constant that does not exist) is reported too
  await expect(createPipeline(ctx.device, 'bad_constant', good, { NOPE: 1 })).rejects.toThrow(/^kernel bad_constant failed to compile: /);
});
