// One pipeline stage: layers [l0, l1) of the model on a device of its own (a GPUDevice in its own Web Worker, or
// the CPU engine where WebGPU is missing), with a KV-cache slot per micro-batch. It runs one sequence's rows at a
// time and says when it was busy, so the coordinator can draw the pipeline as it really ran.
import type { LlamaConfig } from '../model/config.ts';
import type { PrecisionMap } from '../quant/types.ts';
import { CpuForward } from '../reference/forward.ts';
import { asLlamaWeights, type StageWeights } from './split.ts';

export interface StageInit {
  config: LlamaConfig;
  weights: StageWeights; // layers [l0, l0 + layers.length)
  precision: PrecisionMap;
  maxSeq: number;
  slots: number;
  engine: 'webgpu' | 'cpu';
}

export interface StageInfo {
  engine: 'webgpu' | 'cpu';
  adapter: string | null;
  /** Why this stage runs on the CPU although WebGPU was asked for; null otherwise. */
  notice: string | null;
  /** Whether runs report GPU time from timestamp queries. */
  gpuTimestamps: boolean;
}

export interface StageOutput {
  /** x (rows, dim) for the next stage, or, from the last stage, the logits of the last row [vocab]. */
  out: Float32Array;
  /** Host clock around the submitted work, in ms since the epoch (performance.timeOrigin + now), so the clocks of
   * different workers line up. */
  start: number;
  end: number;
  /** GPU time of the stage's compute passes (timestamp queries); null on the CPU or without the feature. */
  gpuMs: number | null;
}

/** What the coordinator needs of a stage: in-process (tests, Node) or behind comlink in a Web Worker. */
export interface StageHandle {
  run(slot: number, input: number[] | Float32Array, pos0: number): Promise<StageOutput>;
}

interface StageForward {
  run(slot: number, input: number[] | Float32Array, pos0: number): Promise<Float32Array> | Float32Array;
  readonly lastTiming?: { gpuMs: number | null };
  dispose(): void;
}

const epochNow = () => performance.timeOrigin + performance.now();

export class Stage implements StageHandle {
  private forward: StageForward | null = null;

  async load(init: StageInit): Promise<StageInfo> {
    this.dispose();
    const { config, precision, maxSeq, slots } = init;
    const weights = asLlamaWeights(init.weights);
    const part = { l0: init.weights.l0, l1: init.weights.l0 + init.weights.layers.length, slots };
    let notice: string | null = null;
    if (init.engine === 'webgpu') {
      try {
        const { createGpuForward } = await import('../gpu/forward.ts');
        const { createGpuContext } = await import('../gpu/context.ts');
        const ctx = await createGpuContext();
        this.forward = await createGpuForward(config, weights, precision, maxSeq, undefined, ctx, part);
        return { engine: 'webgpu', adapter: ctx.adapterName, notice, gpuTimestamps: ctx.hasTimestamps };
      } catch (e) {
        notice = `stage [${part.l0}, ${part.l1}) runs on the CPU: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
    this.forward = await CpuForward.create(config, weights, precision, maxSeq, part);
    return { engine: 'cpu', adapter: null, notice, gpuTimestamps: false };
  }

  async run(slot: number, input: number[] | Float32Array, pos0: number): Promise<StageOutput> {
    const f = this.forward;
    if (!f) throw new Error('this pipeline stage has no weights: load it first');
    const start = epochNow();
    const out = await f.run(slot, input, pos0);
    const end = epochNow();
    return { out, start, end, gpuMs: f.lastTiming?.gpuMs ?? null };
  }

  dispose(): void {
    this.forward?.dispose();
    this.forward = null;
  }
}
