// Matvecs split over threads sharing memory: the CPU engine's decode on bigger models. A big matrix lives in a
// shared WebAssembly memory (workers/simd/matvec.ts's layout: blocks of 8 rows); the engine's thread is thread 0,
// threads 1 .. T-1 are workers that each run the same SIMD kernel over their share of the blocks
// (workers/cpu-pool/split.ts). A matvec stages x in the memory, wakes the workers (Atomics.notify), runs its own
// share, waits for theirs (Atomics.wait), then reads y and adds the tail rows. Every row is summed by the same
// loop as on one thread, so the outputs are the same to the bit (tests/unit/cpu-pool.test.ts).
import type { Matvec, MatvecPool } from '../reference/linear.ts';
import type { SimdMatvec } from '../simd/matvec.ts';
import { ACCUMULATE, CONTROL_WORDS, DONE, FAILED, GEN, JOB, STOP, type PoolThreadPort, type SpawnPoolThread } from './protocol.ts';
import { MIN_POOL_WEIGHTS, blockShares } from './split.ts';

/** A job that has not finished after this long means a thread died (its error went to its console). */
const JOB_TIMEOUT_MS = 60_000;
/** Threads that have not said they are ready after this long did not start. */
const START_TIMEOUT_MS = 30_000;

export class CpuPool implements MatvecPool {
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  private readonly ports: PoolThreadPort[];
  private readonly ids = new WeakMap<Matvec, number>();
  private nextId = 0;
  private looping = false;
  // the page's main thread may not block (only the Vitest browser tests run a pool there): it spins instead
  private readonly canBlock = !('document' in globalThis);
  private broken: string | null = null; // why the pool can no longer run jobs

  /**
   * `threads` in all, the calling thread included (threads - 1 workers), once every worker has started;
   * minWeights: the smallest matrix (n·k) it takes.
   */
  static async create(threads: number, spawn: SpawnPoolThread, minWeights = MIN_POOL_WEIGHTS): Promise<CpuPool> {
    if (!(Number.isInteger(threads) && threads >= 2)) throw new Error(`a CPU pool needs 2 threads or more, not ${threads}`);
    let ready = 0, settle!: (failure: string | null) => void;
    const started = new Promise<string | null>((resolve) => { settle = resolve; });
    const pool = new CpuPool(threads, minWeights, (index, hear) => spawn(index, (r) => {
      if (r.type === 'failed') { pool.broken = `thread ${r.index} failed: ${r.message}`; settle(pool.broken); }
      else if (++ready === threads - 1) settle(null);
      hear(r);
    }));
    const timer = setTimeout(() => settle(`${threads - 1 - ready} of ${threads - 1} threads did not start in ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    const failure = await started;
    clearTimeout(timer);
    if (failure) { pool.close(); throw new Error(`CPU pool: ${failure}`); }
    return pool;
  }

  private constructor(readonly threads: number, private readonly minWeights: number, spawn: SpawnPoolThread) {
    this.ports = Array.from({ length: threads - 1 }, (_, i) => spawn(i + 1, () => {}));
    this.ports.forEach((p, i) => p.post({ type: 'init', index: i + 1, control: this.control }));
  }

  takes(n: number, k: number): boolean { return n * k >= this.minWeights; }

  /** The matvec of a matrix built over a shared memory (simdMatvecBuilder's `shared`), split over the threads. */
  matvec(simd: SimdMatvec, n: number): Matvec {
    const { layout } = simd;
    if (!(layout.memory.buffer instanceof SharedArrayBuffer)) throw new Error(`a [${n}, ${layout.k}] matrix for the CPU pool must be in shared memory`);
    const id = this.nextId++, k = layout.k;
    const shares = blockShares(layout.blocks, this.threads);
    this.post((port, t) => port.post({ type: 'share', id, layout, b0: shares[t][0], b1: shares[t][1] }));
    const [b0, b1] = shares[0];
    const mv: Matvec = (xs, xo, out, o, accumulate) => {
      simd.stage(xs, xo, out, o, accumulate);
      this.start(id, accumulate);
      if (b1 > b0) simd.run(b0, b1, accumulate);
      this.finish(n, k);
      simd.collect(xs, xo, out, o, accumulate);
    };
    this.ids.set(mv, id);
    return mv;
  }

  /** Lets the threads drop their share of a matrix the engine no longer uses. */
  release(mv: Matvec): void {
    const id = this.ids.get(mv);
    if (id === undefined) return;
    this.ids.delete(mv);
    this.post((port) => port.post({ type: 'drop', id }));
  }

  close(): void {
    if (this.looping && !this.broken) this.stop();
    for (const p of this.ports) p.terminate();
    this.ports.length = 0;
  }

  /** A message to every worker (t: its thread index): they take messages only between loops. */
  private post(send: (port: PoolThreadPort, t: number) => void): void {
    if (this.looping) this.stop();
    this.ports.forEach((p, i) => send(p, i + 1));
  }

  private start(job: number, accumulate: boolean): void {
    if (this.broken) throw new Error(`CPU pool: ${this.broken}`);
    const c = this.control;
    if (!this.looping) {
      const gen = Atomics.load(c, GEN);
      for (const p of this.ports) p.post({ type: 'loop', gen });
      this.looping = true;
    }
    Atomics.store(c, DONE, 0);
    Atomics.store(c, JOB, job);
    Atomics.store(c, ACCUMULATE, accumulate ? 1 : 0);
    Atomics.add(c, GEN, 1);
    Atomics.notify(c, GEN);
  }

  /** Waits for every worker's share of the job. */
  private finish(n: number, k: number): void {
    const c = this.control, workers = this.ports.length, t0 = performance.now();
    for (let done; (done = Atomics.load(c, DONE)) < workers;) {
      if (this.canBlock) Atomics.wait(c, DONE, done, 1000);
      if (performance.now() - t0 > JOB_TIMEOUT_MS) {
        this.broken = `a thread did not finish its share of a [${n}, ${k}] matvec in ${JOB_TIMEOUT_MS / 1000} s`;
        throw new Error(`CPU pool: ${this.broken}`);
      }
    }
    const failed = Atomics.exchange(c, FAILED, 0);
    if (failed) throw new Error(`CPU pool: thread ${failed - 1} failed on a [${n}, ${k}] matvec (its console says why)`);
  }

  /** Sends the workers back to their event loops (they acknowledge it like a job). */
  private stop(): void {
    this.start(STOP, false);
    this.finish(0, 0);
    this.looping = false;
  }
}

