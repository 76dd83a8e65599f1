// The one place the engine makes Web Workers (eslint.config.js holds every other file to it). A pipeline stage runs
// in a Web Worker of its own (the browser: a GPUDevice per worker, real concurrency), or in-process (Node, tests: the
// same Stage, one after another). Either way the coordinator sees a StageHandle. The CPU engine's matvec pool
// threads (workers/cpu-pool/) are Web Workers made here too.
import { transfer, wrap } from 'comlink';
import { asEngineError } from './errors.ts';
import { Stage, type StageHandle, type StageInfo, type StageInit } from './pipeline/stage.ts';
import type { PoolReply, PoolThreadPort } from './cpu-pool/protocol.ts';

export interface SpawnedStage extends StageHandle {
  /** Loads the stage's weights; `buffers` (the weights' own copies) are transferred, not copied again. */
  load(init: StageInit, buffers: ArrayBuffer[]): Promise<StageInfo>;
  dispose(): void;
  /** Whether what the stage is sent must be its own copy (a worker takes it away) or can be shared (in-process). */
  readonly ownsWeights: boolean;
}

export function workerStage(index: number): SpawnedStage {
  const worker = new Worker(new URL('./pipeline/stage.worker.ts', import.meta.url), { type: 'module', name: `stage ${index}` });
  const remote = wrap<Stage>(worker);
  // a worker that fails to start (or dies) would leave comlink calls waiting forever: fail them instead
  const crashed = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      reject(asEngineError(new Error(`pipeline stage ${index}'s worker failed: ${e.message || 'it could not start'}`)));
    });
  });
  crashed.catch(() => {});
  const race = <T>(p: Promise<T>) => Promise.race([p, crashed]);
  return {
    ownsWeights: true,
    load: (init, buffers) => race(remote.load(transfer(init, buffers))),
    run: (slot, input, pos0) => race(remote.run(slot, input instanceof Float32Array ? transfer(input, [input.buffer as ArrayBuffer]) : input, pos0)),
    dispose: () => worker.terminate(),
  };
}

export function inProcessStage(): SpawnedStage {
  const stage = new Stage();
  return {
    ownsWeights: false,
    load: (init) => stage.load(init),
    run: (slot, input, pos0) => stage.run(slot, input, pos0),
    dispose: () => stage.dispose(),
  };
}

/** Web Workers where the platform has them (browsers; nested workers in Chromium), in-process otherwise (Node). */
export const defaultSpawner = (): ((index: number) => SpawnedStage) =>
  typeof Worker === 'function' ? workerStage : inProcessStage;

/** A thread of the CPU engine's matvec pool (workers/cpu-pool/): a Web Worker over shared memory. */
export function webPoolThread(index: number, hear: (reply: PoolReply) => void): PoolThreadPort {
  const worker = new Worker(new URL('./cpu-pool/pool.worker.ts', import.meta.url), { type: 'module', name: `cpu pool ${index}` });
  worker.addEventListener('message', (e: MessageEvent<PoolReply>) => hear(e.data));
  worker.addEventListener('error', (e) => {
    e.preventDefault();
    hear({ type: 'failed', index, message: e.message || 'it could not start' });
  });
  return { post: (m) => worker.postMessage(m), terminate: () => worker.terminate() };
}
