// A weight matrix on the GPU, packed as its LinearSpec says (workers/quant/pack.ts), in one buffer or, when it is
// larger than one storage binding may be (WebGPU's default is 128 MiB; a 128256 x 4096 BF16 embedding is 1 GB),
// in row chunks of at most the binding limit, each a buffer of its own. Uploaded slab by slab as it is read from the
// file: the host never holds more than one slab (model/tensor.ts SLAB_BYTES) of a tensor.
import type { LinearSpec, WeightDtype } from '../quant/types.ts';
import { emptyStats, isFp8, packedWords, packTensor, type PackedMatrix, type QuantStats } from '../quant/pack.ts';
import { storedRowBytes, type WeightTensor } from '../model/tensor.ts';
import { storageBuffer, type GpuContext } from './context.ts';

export interface WeightChunk {
  r0: number; // first row of the matrix this chunk holds
  rows: number;
  w: GPUBuffer; // rows x kPacked u32 words
  s: GPUBuffer | null; // FP8: rows f32 scales
}

export interface GpuWeights {
  label: string;
  /** How the rows were packed (the map's spec for this tensor). */
  spec: LinearSpec;
  dtype: WeightDtype;
  n: number;
  k: number;
  kPacked: number;
  chunks: WeightChunk[];
  bytes: number; // of its buffers: packed data and scales, all chunks
  stats: QuantStats;
  destroy(): void;
}

/** Rows per buffer so that one chunk's packed rows fit in `limit` bytes (at least one row). */
export function chunkRows(dtype: WeightDtype, k: number, limit: number): number {
  const rowBytes = packedWords(dtype, k) * 4;
  if (rowBytes > limit) throw new Error(`one row of ${k} ${dtype} values (${rowBytes} bytes) is larger than this GPU's storage binding limit of ${limit} bytes`);
  return Math.floor(limit / rowBytes);
}

/** Bytes uploaded between waits for the queue, so staging copies of a large tensor don't pile up. */
const FLUSH_BYTES = 64 << 20;

/** Reads t from the file, packs it per spec and uploads it in row chunks (onBytes: stored bytes read). */
export async function uploadTensor(ctx: GpuContext, label: string, t: WeightTensor, spec: LinearSpec,
  onBytes?: (bytes: number) => void): Promise<GpuWeights> {
  const per = chunkRows(spec.dtype, t.k, ctx.bindingLimit);
  const weights = allocate(ctx, label, spec, t.n, t.k, per);
  const q = ctx.device.queue;
  let pending = 0;
  try {
    for await (const s of packTensor(t, spec, weights.stats, per)) {
      const c = weights.chunks[Math.floor(s.r0 / per)];
      q.writeBuffer(c.w, (s.r0 - c.r0) * weights.kPacked * 4, s.data as Uint32Array<ArrayBuffer>);
      if (s.scales) q.writeBuffer(c.s!, (s.r0 - c.r0) * 4, s.scales as Float32Array<ArrayBuffer>);
      onBytes?.(s.rows * storedRowBytes(t));
      if ((pending += s.data.byteLength) >= FLUSH_BYTES) { await q.onSubmittedWorkDone(); pending = 0; }
    }
  } catch (e) {
    weights.destroy();
    throw e;
  }
  return weights;
}

/** A matrix packed in memory (tests, benchmarks). */
export function uploadPacked(ctx: GpuContext, label: string, p: PackedMatrix, spec: LinearSpec): GpuWeights {
  const per = chunkRows(p.dtype, p.k, ctx.bindingLimit);
  const weights = allocate(ctx, label, spec, p.n, p.k, per);
  weights.stats = p.stats;
  for (const c of weights.chunks) {
    ctx.device.queue.writeBuffer(c.w, 0, p.data.subarray(c.r0 * p.kPacked, (c.r0 + c.rows) * p.kPacked) as Uint32Array<ArrayBuffer>);
    if (c.s) ctx.device.queue.writeBuffer(c.s, 0, p.scales!.subarray(c.r0, c.r0 + c.rows) as Float32Array<ArrayBuffer>);
  }
  return weights;
}

function allocate(ctx: GpuContext, label: string, spec: LinearSpec, n: number, k: number, per: number): GpuWeights {
  const dtype = spec.dtype;
  const kPacked = packedWords(dtype, k);
  const chunks: WeightChunk[] = [];
  const split = n > per;
  for (let r0 = 0; r0 < n; r0 += per) {
    const rows = Math.min(per, n - r0);
    const name = split ? `${label}.rows${r0}` : label;
    chunks.push({
      r0, rows,
      w: storageBuffer(ctx.device, `${name}.w`, rows * kPacked * 4),
      s: isFp8(dtype) ? storageBuffer(ctx.device, `${name}.w_scale`, rows * 4) : null,
    });
  }
  // what the buffers really take (equal to packedBytes for every real shape: 16-byte rows, 4-byte scales)
  const bytes = chunks.reduce((b, c) => b + c.w.size + (c.s?.size ?? 0), 0);
  return {
    label, spec, dtype, n, k, kPacked, chunks, bytes, stats: emptyStats(),
    destroy() {
      for (const c of chunks) { c.w.destroy(); c.s?.destroy(); }
      chunks.length = 0;
    },
  };
}
