// Stop within one token, as the page sees it: stop() is sent from another thread while the engine generates, and
// at most the forward already running when it was sent completes (the token loop gives the event loop a turn
// before every forward). A loop that yields only after 16 ms of work ran 2 more forwards here (at 5 ms a forward).
import { expect, test } from 'vitest';
import { wrap } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { Worker } from 'node:worker_threads';
import { readShared, STORIES } from './shared.ts';
import type { EngineThread } from './threads/engine-thread.ts';

const bytes = readShared(STORIES);

test.runIf(bytes)('stop() sent from another thread ends the answer within one token', async () => {
  const forwards = new SharedArrayBuffer(4);
  const calls = new Int32Array(forwards);
  const model = bytes!.buffer.slice(bytes!.byteOffset, bytes!.byteOffset + bytes!.byteLength);
  const entry = new URL('./threads/engine-thread.ts', import.meta.url).href;
  const thread = new Worker(new URL('./threads/boot.mjs', import.meta.url), { workerData: { entry, model, forwards, minForwardMs: 5 } });
  try {
    const engine = wrap<EngineThread>(nodeEndpoint(thread));
    await engine.load();
    for (const trial of [3, 10, 25]) {
      Atomics.store(calls, 0, 0);
      const answer = engine.generate({ prompt: 'Once upon a time', temperature: 0.8, seed: trial, max_tokens: 400 });
      while (Atomics.load(calls, 0) < trial) await new Promise((r) => setTimeout(r, 1));
      const sentAt = Atomics.load(calls, 0);
      await engine.stop();
      const r = await answer;
      expect(r.finish).toBe('abort');
      expect(Atomics.load(calls, 0) - sentAt, `forwards after stop() (trial ${trial})`).toBeLessThanOrEqual(1);
      expect(r.tokens.length).toBeLessThanOrEqual(sentAt);
    }
  } finally {
    await thread.terminate();
  }
});
