// A thread of the CPU engine's matvec pool, in the browser (workers/cpu-pool/thread.ts).
import { poolThread } from './thread.ts';
import type { PoolMessage } from './protocol.ts';

const handle = poolThread((r) => self.postMessage(r));
self.onmessage = (e: MessageEvent<PoolMessage>) => handle(e.data);
