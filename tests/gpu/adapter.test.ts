import { expect, test } from 'vitest';
import { gpu } from './harness.ts';

test('a WebGPU adapter is available (SwiftShader in headless Chromium)', async () => {
  const ctx = await gpu();
  if (!ctx) return;
  expect(ctx.device.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 << 20);
  console.log(`adapter: ${ctx.adapterName}; timestamps: ${ctx.hasTimestamps}`);
});
