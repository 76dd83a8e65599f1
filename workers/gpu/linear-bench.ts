// Measuring kernels on the device: a vec4<u32> copy (copy_u32_vec4.wgsl) gives the memory bandwidth the adapter
// reaches, and timeKernel times any encode (e.g. a GpuLinear's) the same way, so a benchmark can report a
// matmul's weight reads as a share of copy bandwidth measured in the same run (docs/precision.md).
import { storageBuffer, type GpuContext } from './context.ts';
import { cachedPipeline, grid } from './linear.ts';
import copyWgsl from '../kernels/copy_u32_vec4.wgsl?raw';

/**
 * Seconds per run of encode(pass): `repeats` runs recorded into one compute pass and submitted once, best of
 * `rounds` submits (wall clock to onSubmittedWorkDone, so include one submit's overhead / repeats).
 */
export async function timeKernel(ctx: GpuContext, encode: (pass: GPUComputePassEncoder) => void, repeats = 20, rounds = 3): Promise<number> {
  const d = ctx.device;
  let best = Infinity;
  for (let r = 0; r <= rounds; r++) {
    const enc = d.createCommandEncoder({ label: 'bench' });
    const pass = enc.beginComputePass({ label: 'bench' });
    for (let i = 0; i < repeats; i++) encode(pass);
    pass.end();
    const t0 = performance.now();
    d.queue.submit([enc.finish()]);
    await d.queue.onSubmittedWorkDone();
    if (r > 0) best = Math.min(best, (performance.now() - t0) / 1000 / repeats); // round 0 warms up
  }
  return best;
}

export interface CopyBench {
  /** Bytes copied per run (read once, written once). */
  bytes: number;
  encode(pass: GPUComputePassEncoder): void;
  /** Copy bandwidth in GB/s, counting bytes read plus bytes written (as STREAM's copy does). */
  measure(repeats?: number): Promise<number>;
  destroy(): void;
}

export async function createCopyBench(ctx: GpuContext, bytes: number): Promise<CopyBench> {
  const d = ctx.device;
  const words = Math.max(1, Math.floor(bytes / 16));
  const wg = 256;
  const pipeline = await cachedPipeline(d, 'copy_u32_vec4', copyWgsl, { WG: wg, WORDS: words });
  const src = storageBuffer(d, 'bench.copy.src', words * 16);
  const dst = storageBuffer(d, 'bench.copy.dst', words * 16);
  const bind = d.createBindGroup({ label: 'bench.copy', layout: pipeline.getBindGroupLayout(0), entries: [
    { binding: 0, resource: { buffer: src } }, { binding: 1, resource: { buffer: dst } }] });
  const [gx, gy] = grid(Math.ceil(words / wg));
  const encode = (pass: GPUComputePassEncoder) => {
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(gx, gy);
  };
  return {
    bytes: words * 16,
    encode,
    async measure(repeats = 10) {
      const s = await timeKernel(ctx, encode, repeats);
      return (2 * words * 16) / s / 1e9;
    },
    destroy() {
      src.destroy();
      dst.destroy();
    },
  };
}
