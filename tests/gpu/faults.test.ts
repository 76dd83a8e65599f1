// A lost GPU device is an engine state with a message, not a hang: the next call says "the GPU device was lost
// ...: reload the model", and loading again gives a working engine.
import { expect, test } from 'vitest';
import { gpu } from './harness.ts';
import { readShared } from './shared.ts';
import { Engine } from '../../workers/engine.ts';

const bytes = await readShared('models/stories260K/stories260K.gguf');

test.runIf(bytes)('a lost device is reported in one line, and a reload recovers', async () => {
  if (!(await gpu())) return;
  const e = new Engine({ engine: 'webgpu', baseUrl: `${location.origin}/` });
  const source = { kind: 'file' as const, name: 'stories260K.gguf', bytes: bytes!.slice().buffer };
  await e.load(source);
  const before = await e.generate({ prompt: 'Once upon a time', temperature: 0, max_tokens: 6 });
  const forward = e.loaded().forward as unknown as { device: GPUDevice };
  forward.device.destroy(); // what a driver reset or a GPU-process crash does to the page
  await new Promise((r) => setTimeout(r, 50));
  const lost = await e.generate({ prompt: 'Once upon a time', temperature: 0, max_tokens: 6 }).catch((err: Error) => err);
  expect(lost).toBeInstanceOf(Error);
  expect((lost as Error).message).toMatch(/^the GPU device was lost .*reload the model$/);
  await e.load({ ...source, bytes: bytes!.slice().buffer });
  const after = await e.generate({ prompt: 'Once upon a time', temperature: 0, max_tokens: 6 });
  expect(after.tokens).toEqual(before.tokens);
});
