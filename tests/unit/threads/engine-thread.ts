// A worker_threads twin of workers/engine.worker.ts for Node tests: the CPU engine behind comlink, on its own
// thread, so stop() arrives as a message that waits in the queue like the page's does. Each forward call counts
// itself in shared memory and takes at least `minForwardMs` (a slow model, deterministically), so the test can
// read how many forwards ran after the moment it sent stop().
import { expose } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { parentPort, workerData } from 'node:worker_threads';
import { Engine } from '../../../workers/engine.ts';

const { model, forwards, minForwardMs } = workerData as { model: ArrayBuffer; forwards: SharedArrayBuffer; minForwardMs: number };
const calls = new Int32Array(forwards);
const engine = new Engine({ engine: 'cpu', baseUrl: 'http://localhost/' });

const api = {
  async load() {
    await engine.load({ kind: 'file', name: 'stories260K.gguf', bytes: model });
    const f = engine.loaded().forward;
    const run = f.forward.bind(f);
    f.forward = async (...a: Parameters<typeof run>) => {
      Atomics.add(calls, 0, 1);
      const until = performance.now() + minForwardMs;
      const logits = await run(...a);
      while (performance.now() < until); // the CPU engine's own work, made as slow as a bigger model's
      return logits;
    };
  },
  generate: engine.generate.bind(engine),
  stop: engine.stop.bind(engine),
};
export type EngineThread = typeof api;
expose(api, nodeEndpoint(parentPort!));
