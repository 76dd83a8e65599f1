// How many threads the CPU engine runs its big matvecs on, and the pool that holds them (workers/cpu-pool/pool.ts),
// kept between loads of the same count. Threads share memory only in a cross-origin isolated page (COOP + COEP
// headers: README "Hosting headers") or in Node; where they cannot be had, the engine runs on one and says why.
import { oneLine } from '../errors.ts';
import { DEFAULT_MAX_THREADS } from './limits.ts';
import { CpuPool } from './pool.ts';
import type { SpawnPoolThread } from './protocol.ts';

export { MAX_THREADS } from './limits.ts';

/** Shared memory between threads: a cross-origin isolated page, or Node. */
const canShareMemory = () => typeof SharedArrayBuffer === 'function' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;

export class CpuThreads {
  private pool: CpuPool | null = null;
  /** Threads the last pool() call gave (1: the engine's own only). */
  used = 1;

  /** spawn: where the threads come from; null where the platform has no way to make them. */
  constructor(private readonly spawn: SpawnPoolThread | null) {}

  /** Without a load's `threads`: the cores up to 4 where threads can share memory and be made, else 1. */
  defaultCount(): number {
    const cores = (globalThis.navigator as { hardwareConcurrency?: number } | undefined)?.hardwareConcurrency ?? 1;
    return canShareMemory() && this.spawn ? Math.max(1, Math.min(DEFAULT_MAX_THREADS, cores)) : 1;
  }

  /** The pool for `threads` threads (null for 1); where it cannot be had: null, and `say` tells why. */
  async get(threads: number, say: (text: string) => void): Promise<CpuPool | null> {
    if (this.pool && this.pool.threads !== threads) { this.pool.close(); this.pool = null; }
    this.used = 1;
    if (threads === 1) return null;
    if (!this.spawn) { say(`the CPU engine could not start ${threads} threads (no way to make threads here): running on 1`); return null; }
    if (!canShareMemory()) { say(`${threads} threads need a cross-origin isolated page (COOP/COEP headers, README "Hosting headers"): running on 1`); return null; }
    try {
      this.pool ??= await CpuPool.create(threads, this.spawn);
    } catch (e) {
      say(`the CPU engine could not start ${threads} threads (${oneLine(e)}): running on 1`);
      return null;
    }
    this.used = threads;
    return this.pool;
  }
}
