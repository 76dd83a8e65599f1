// A lost GPU device is recovered without a click: the engine hears device.lost at once, makes a new device, uploads
// the weights again, replays the KV cache and continues the answer with the tokens it would have given anyway
// (greedy). A second loss within a minute moves it to the CPU engine, and both the result and the status say so.
import { expect, test } from 'vitest';
import { gpu } from './harness.ts';
import { readShared } from './shared.ts';
import { Engine } from '../../workers/engine.ts';
import type { EngineEvent, EngineStatus } from '../../workers/api.ts';
import type { Forward } from '../../workers/model/forward.ts';

const bytes = await readShared('models/stories260K/stories260K.gguf');
const request = { prompt: 'Once upon a time', temperature: 0, max_tokens: 40 };

/** Destroys the device of the engine's current GPU forward when its n-th forward call starts, as a driver reset
 * or a GPU-process crash would, in the middle of an answer. */
function loseDeviceAt(e: Engine, n: number): void {
  const forward = e.loaded().forward as Forward & { device: GPUDevice };
  let calls = 0;
  const wrap = <A extends unknown[], R>(fn: (...a: A) => Promise<R>) => (...a: A): Promise<R> => {
    if (++calls === n) forward.device.destroy();
    return fn.apply(forward, a);
  };
  forward.forward = wrap(forward.forward);
  if (forward.greedy) forward.greedy = wrap(forward.greedy);
}

async function engineWith(statuses: EngineStatus[]): Promise<Engine> {
  const e = new Engine({ engine: 'auto', baseUrl: `${location.origin}/` });
  e.watch((s) => statuses.push(s));
  await e.load({ kind: 'file', name: 'stories260K.gguf', bytes: bytes!.slice().buffer });
  expect(e.loaded().forward.kind).toBe('webgpu');
  return e;
}

test.runIf(bytes)('a device lost mid-answer: the answer completes with the undisturbed tokens, and says it recovered', async () => {
  if (!(await gpu())) return;
  const statuses: EngineStatus[] = [];
  const e = await engineWith(statuses);
  const undisturbed = await e.generate(request);

  loseDeviceAt(e, 12); // the prompt's last token is call 1 (the rest is reused from the cache): the 11th decode step
  const events: EngineEvent[] = [];
  const disturbed = await e.generate(request, (batch) => events.push(...batch));
  expect(disturbed.tokens).toEqual(undisturbed.tokens);
  expect(disturbed.text).toBe(undisturbed.text);
  expect(disturbed.engine).toBe('webgpu');
  expect(events.some((ev) => ev.type === 'recovered')).toBe(true);
  expect(statuses.map((s) => s.type)).toContain('recovered');
  expect(e.loaded().forward.kind).toBe('webgpu');

  // a second loss within the minute: the CPU engine finishes the answer, and the result and the status say so
  loseDeviceAt(e, 5);
  const fallback = await e.generate(request);
  expect(fallback.engine).toBe('cpu');
  expect(fallback.tokens.length).toBe(undisturbed.tokens.length);
  expect(fallback.tokens.slice(0, 3)).toEqual(undisturbed.tokens.slice(0, 3)); // the GPU's tokens before the loss
  const changed = statuses.find((s) => s.type === 'engine-changed');
  expect(changed?.message).toMatch(/lost twice within a minute: running on the CPU engine/);
  expect((await e.info())?.notice).toMatch(/running on the CPU engine/);
});

test.runIf(bytes)('a device lost while idle is replaced at once, before the next call', async () => {
  if (!(await gpu())) return;
  const statuses: EngineStatus[] = [];
  const e = await engineWith(statuses);
  const before = await e.generate(request);
  const lostForward = e.loaded().forward as Forward & { device: GPUDevice };
  lostForward.device.destroy();
  await expect.poll(() => statuses.map((s) => s.type), { timeout: 20_000 }).toContain('recovered');
  expect(statuses[0].type).toBe('device-lost');
  expect(e.loaded().forward).not.toBe(lostForward);
  // the conversation's KV cache was replayed: a continuation reuses it and gives the same answer as a fresh run
  const again = await e.generate(request);
  expect(again.tokens).toEqual(before.tokens);
});
