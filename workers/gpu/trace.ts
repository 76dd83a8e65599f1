// The trace on the WebGPU engine: a debug pass. Slot 0's pass list is encoded as the forward encodes it, but the
// compute pass is cut after each dispatch whose output the plan asks for, and that buffer is copied into one
// staging buffer there (as profile.ts cuts it for timestamps): x after the embedding and after each layer; q and
// the layer's K cache after its RoPE (the kernels never store attention probabilities: the host computes them from
// these with the CPU engine's attention()); hb, hb2 after w1/w3 and hb after swiglu. The logit lens encodes the
// final norm (on a step uniform of its own, reading the lens position) and the head after each layer, writing
// xf and logits, which nothing in the layers reads and the real pass rewrites at its end. One submit, one readback.
import { kvDim, qDim, type LlamaConfig } from '../model/config.ts';
import { rowNorms, type TraceCapture, type TracePlan } from '../model/trace.ts';
import { stepWords } from '../kernels/registry.ts';
import { attentionProbs } from '../reference/trace.ts';
import { uniformBuffer } from './context.ts';
import type { Dispatch } from './kernels.ts';

/** What the debug pass reads from a GpuForward (whole model, slot 0; inputs already written for the plan's tokens). */
export interface TraceTargets {
  device: GPUDevice;
  passes: Dispatch[];
  names: { layer: number | null; kernel: string }[]; // profile.ts's stepNames, one per dispatch
  head: Dispatch;
  /** The final norm of the row the `step` uniform names into xf. */
  lensNorm(step: GPUBuffer): Dispatch;
  x: GPUBuffer;
  q: GPUBuffer;
  hb: GPUBuffer;
  hb2: GPUBuffer;
  logits: GPUBuffer;
  kCache: GPUBuffer[]; // by layer
}

interface Copy { src: GPUBuffer; offset: number; size: number; at: number }

export async function traceGpu(t: TraceTargets, c: LlamaConfig, p: TracePlan): Promise<TraceCapture> {
  const n = p.tokens.length, f32 = 4, dim = c.dim, hd = c.hiddenDim;
  const cap: TraceCapture = {};
  const copies = new Map<number, Copy[]>(); // after dispatch i
  const reads: ((data: ArrayBuffer) => void)[] = [];
  let bytes = 0;
  /** Copies `floats` values of src from value `first` after dispatch `after`; returns the values' reader. */
  const copy = (after: number, src: GPUBuffer, first: number, floats: number) => {
    if (after < 0) throw new Error(`trace: no dispatch for this step in the pass list`);
    const at = bytes, size = floats * f32;
    if (!copies.has(after)) copies.set(after, []);
    copies.get(after)!.push({ src, offset: first * f32, size, at });
    bytes += size;
    return (data: ArrayBuffer) => new Float32Array(data.slice(at, at + size));
  };
  const index = (layer: number | null, kernel: string) => t.names.findIndex((s) => s.layer === layer && s.kernel === kernel);
  const embed = index(null, 'embed');

  if (p.embedding !== null) {
    const read = copy(embed, t.x, p.embedding * dim, dim);
    reads.push((d) => { cap.embedding = read(d); });
  }
  if (p.norms) {
    const stream = [copy(embed, t.x, 0, n * dim)];
    for (let l = 0; l < c.nLayers; l++) stream.push(copy(index(l, 'w2'), t.x, 0, n * dim));
    reads.push((d) => { cap.norms = stream.map((read) => rowNorms(read(d), n, dim)); });
  }
  if (p.attention !== null) {
    const at = index(p.attention, 'rope_k'); // q rotated; k rotated and stored in the cache
    const q = copy(at, t.q, 0, n * qDim(c)), k = copy(at, t.kCache[p.attention], 0, n * kvDim(c));
    reads.push((d) => { cap.attention = attentionProbs(q(d), k(d), n, c); });
  }
  if (p.ffn) {
    const { layer, position } = p.ffn;
    const gate = copy(index(layer, 'w3'), t.hb, position * hd, hd), up = copy(index(layer, 'w3'), t.hb2, position * hd, hd);
    const act = copy(index(layer, 'swiglu'), t.hb, position * hd, hd);
    reads.push((d) => { cap.ffn = { gate: gate(d), up: up(d), act: act(d) }; });
  }
  const lensAt = new Set<number>();
  let lensStep: GPUBuffer | null = null;
  if (p.lens) {
    lensStep = uniformBuffer(t.device, 'trace.lens.step', stepWords(1, 0, p.lens.position));
    const lens: ((d: ArrayBuffer) => Float32Array)[] = [];
    for (let l = 0; l < c.nLayers; l++) {
      lensAt.add(index(l, 'w2'));
      lens.push(copy(index(l, 'w2'), t.logits, 0, c.vocabSize)); // after the lens dispatches at this cut
    }
    reads.push((d) => { cap.lens = lens.map((read) => read(d)); });
  }
  if (p.logits) {
    const read = copy(index(null, 'head'), t.logits, 0, c.vocabSize);
    reads.push((d) => { cap.logits = read(d); });
  }
  if (bytes === 0) return cap;

  const last = Math.max(...copies.keys()); // nothing after the last copy is encoded
  const d = t.device;
  const staging = d.createBuffer({ label: 'trace.readback', size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    const lensNorm = lensStep ? t.lensNorm(lensStep) : null;
    const enc = d.createCommandEncoder({ label: 'trace' });
    let pass = enc.beginComputePass({ label: 'trace' });
    for (let i = 0; i <= last; i++) {
      const dispatch = t.passes[i];
      dispatch.encode(pass, dispatch === t.head ? 1 : n);
      if (lensAt.has(i)) { lensNorm!.encode(pass, 1); t.head.encode(pass, 1); } // xf = finalNorm(x[pos]); logits = head xf
      const here = copies.get(i);
      if (!here) continue;
      pass.end();
      for (const cp of here) enc.copyBufferToBuffer(cp.src, cp.offset, staging, cp.at, cp.size);
      if (i < last) pass = enc.beginComputePass({ label: 'trace' });
    }
    d.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const data = staging.getMappedRange().slice(0);
    staging.unmap();
    for (const read of reads) read(data);
    return cap;
  } finally {
    staging.destroy();
    lensStep?.destroy();
  }
}
