// One thread of the pool: holds its share of every matrix's rows and runs jobs when the engine's thread bumps GEN,
// blocking in Atomics.wait between them (a worker may block; the page's main thread never runs this).
import { blockKernel, type BlockKernel } from '../simd/matvec.ts';
import { ACCUMULATE, DONE, FAILED, GEN, JOB, STOP, type PoolMessage, type PoolReply } from './protocol.ts';

interface Share { run: BlockKernel; b0: number; b1: number }

/** The message handler of a pool thread (the Web Worker's onmessage, or worker_threads' parentPort); reply: its postMessage. */
export function poolThread(reply: (r: PoolReply) => void): (m: PoolMessage) => void {
  const shares = new Map<number, Share>();
  let index = 0;
  let control: Int32Array | null = null;

  function loop(gen: number): void {
    const c = control!;
    for (let seen = gen; ;) {
      Atomics.wait(c, GEN, seen);
      const now = Atomics.load(c, GEN);
      if (now === seen) continue;
      seen = now;
      const job = Atomics.load(c, JOB);
      if (job !== STOP) {
        try {
          const s = shares.get(job)!;
          if (s.b1 > s.b0) s.run(s.b0, s.b1, Atomics.load(c, ACCUMULATE) === 1); // y of blocks [b0, b1) (+)= W x
        } catch (e) {
          Atomics.compareExchange(c, FAILED, 0, index + 1);
          console.error(`cpu pool thread ${index}:`, e);
        }
      }
      Atomics.add(c, DONE, 1);
      Atomics.notify(c, DONE);
      if (job === STOP) return;
    }
  }

  return (m) => {
    if (m.type === 'init') { index = m.index; control = m.control; reply({ type: 'ready', index }); }
    else if (m.type === 'share') shares.set(m.id, { run: blockKernel(m.layout, true), b0: m.b0, b1: m.b1 }); else if (m.type === 'drop') shares.delete(m.id);
    else loop(m.gen);
  };
}
