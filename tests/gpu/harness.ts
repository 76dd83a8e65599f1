// Gives GPU tests a device. With CI=true a missing adapter fails the test run; elsewhere the suite is skipped
// with a printed reason (a developer without Chromium's SwiftShader still gets the CPU tests).
import { createGpuContext, type GpuContext } from '../../workers/gpu/context.ts';
import { mulberry32 } from '../../workers/model/sampler.ts';

let ctx: Promise<GpuContext | null> | null = null;

export function gpu(): Promise<GpuContext | null> {
  ctx ??= createGpuContext().catch((e: Error) => {
    if (import.meta.env.VITE_CI === 'true') throw new Error(`CI=true and no WebGPU adapter: ${e.message}`);
    console.warn(`GPU tests skipped: ${e.message}`);
    return null;
  });
  return ctx;
}

/** Seeded PRNG (mulberry32, the sampler's) for reproducible random inputs. */
export const rng = mulberry32;

/** n uniform values in [-scale, scale). */
export function randomArray(n: number, seed: number, scale = 1): Float32Array {
  const r = rng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (r() * 2 - 1) * scale;
  return a;
}
