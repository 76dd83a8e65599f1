// Gives GPU tests a device. With CI=true a missing adapter fails the test run; elsewhere the suite is skipped
// with a printed reason (a developer without Chromium's SwiftShader still gets the CPU tests).
import { createGpuContext, type GpuContext } from '../../workers/gpu/context.ts';

let ctx: Promise<GpuContext | null> | null = null;

export function gpu(): Promise<GpuContext | null> {
  ctx ??= createGpuContext().catch((e: Error) => {
    if (import.meta.env.VITE_CI === 'true') throw new Error(`CI=true and no WebGPU adapter: ${e.message}`);
    console.warn(`GPU tests skipped: ${e.message}`);
    return null;
  });
  return ctx;
}

/** Seeded PRNG (mulberry32) for reproducible random inputs. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n uniform values in [-scale, scale). */
export function randomArray(n: number, seed: number, scale = 1): Float32Array {
  const r = rng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (r() * 2 - 1) * scale;
  return a;
}
