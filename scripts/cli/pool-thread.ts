// A thread of the CPU engine's matvec pool in Node (worker_threads; workers/cpu-pool/thread.ts does the work).
import { parentPort } from 'node:worker_threads';
import { poolThread } from '../../workers/cpu-pool/thread.ts';

const port = parentPort!;
const handle = poolThread((r) => port.postMessage(r));
port.on('message', handle);
