// GPU time per kernel: runs a pass list with every dispatch in its own compute pass, each bracketed by timestamp
// queries (WebGPU `timestamp-query`). Slower than the real forward (a pass per dispatch), so it is a separate,
// on-demand measurement; the numbers say where one forward's GPU time goes.
import type { Dispatch } from './kernels.ts';

export interface KernelTime {
  layer: number | null; // null: embedding, final norm, head
  kernel: string; // e.g. "attn_norm", "wq", "attention", "head"
  label: string; // the GPU object's label, e.g. "L2.w1.fp8e4m3"
  ms: number;
}

/** What each dispatch of a pass list is, in buildPasses order: [embed?] + 13 per layer + [final_norm, head]. */
export const LAYER_STEPS = ['attn_norm', 'wq', 'wk', 'wv', 'rope_q', 'rope_k', 'attention', 'wo', 'ffn_norm', 'w1', 'w3', 'swiglu', 'w2'] as const;

export function stepNames(first: boolean, last: boolean, l0: number, l1: number): { layer: number | null; kernel: string }[] {
  const names: { layer: number | null; kernel: string }[] = first ? [{ layer: null, kernel: 'embed' }] : [];
  for (let l = l0; l < l1; l++) for (const kernel of LAYER_STEPS) names.push({ layer: l, kernel });
  if (last) names.push({ layer: null, kernel: 'final_norm' }, { layer: null, kernel: 'head' });
  return names;
}

/** Times each dispatch (m rows each; the head gets headRows) once; inputs must already be written. */
export async function timeDispatches(device: GPUDevice, passes: Dispatch[], names: { layer: number | null; kernel: string }[],
  m: number, headRows: number, head: Dispatch | null): Promise<KernelTime[]> {
  if (names.length !== passes.length) throw new Error(`profile: ${passes.length} dispatches but ${names.length} names`);
  const count = passes.length * 2;
  const query = device.createQuerySet({ label: 'profile.timestamps', type: 'timestamp', count });
  const resolve = device.createBuffer({ label: 'profile.resolve', size: count * 8, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  const read = device.createBuffer({ label: 'profile.readback', size: count * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    const enc = device.createCommandEncoder({ label: 'profile' });
    passes.forEach((p, i) => {
      const pass = enc.beginComputePass({ label: `profile.${i}`, timestampWrites: { querySet: query, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } });
      p.encode(pass, p === head ? headRows : m);
      pass.end();
    });
    enc.resolveQuerySet(query, 0, count, resolve, 0);
    enc.copyBufferToBuffer(resolve, 0, read, 0, count * 8);
    device.queue.submit([enc.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const t = new BigUint64Array(read.getMappedRange().slice(0));
    read.unmap();
    return passes.map((p, i) => ({
      ...names[i],
      label: p.label ?? names[i].kernel,
      ms: t[2 * i + 1] > t[2 * i] ? Number(t[2 * i + 1] - t[2 * i]) / 1e6 : 0,
    }));
  } finally {
    query.destroy();
    resolve.destroy();
    read.destroy();
  }
}
