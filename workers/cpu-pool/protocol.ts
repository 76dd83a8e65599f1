// What the engine's thread and the pool's threads share: the messages that set a thread up (posted while it idles
// in its event loop) and the control words of a job (read and written with Atomics while it runs one).
import type { SimdLayout } from '../simd/matvec.ts';

/** Control words (an Int32Array over a SharedArrayBuffer). */
export const GEN = 0; // bumped once per job: the threads wait on it
export const JOB = 1; // what to do: a matrix id, or STOP
export const ACCUMULATE = 2; // 1: y += W x, 0: y = W x
export const DONE = 3; // threads finished with this job
export const FAILED = 4; // 1 + the index of a thread that threw (0: none)
export const CONTROL_WORDS = 8;

/** The job that sends the threads back to their event loop (to take messages), acknowledged like any other. */
export const STOP = -1;

export type PoolMessage =
  | { type: 'init'; index: number; control: Int32Array }
  // one matrix: where it is in its shared memory, and the thread's share of its blocks [b0, b1)
  | { type: 'share'; id: number; layout: SimdLayout; b0: number; b1: number }
  | { type: 'drop'; id: number }
  // run jobs until STOP; `gen` is GEN before the first of them was posted
  | { type: 'loop'; gen: number };

/** What a thread says back (through its port, while in its event loop): set up, or it could not start. */
export type PoolReply = { type: 'ready'; index: number } | { type: 'failed'; index: number; message: string };

/** Where the pool's threads come from: Web Workers (workers/spawn.ts) or Node's worker_threads (scripts/cli/pool-node.ts). */
export interface PoolThreadPort { post(message: PoolMessage): void; terminate(): void }
export type SpawnPoolThread = (index: number, hear: (reply: PoolReply) => void) => PoolThreadPort;
