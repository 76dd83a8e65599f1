// GPU time per kernel from timestamp queries: every dispatch of the forward pass is named and timed, and
// profiling leaves the engine producing the same tokens.
import { expect, test } from 'vitest';
import { gpu } from './harness.ts';
import { readShared } from './shared.ts';
import { Engine } from '../../workers/engine.ts';
import { LAYER_STEPS } from '../../workers/gpu/profile.ts';

const bytes = await readShared('models/stories260K/stories260K.gguf');

test.runIf(bytes)('profile() names and times every kernel of a decode step and a prefill chunk', async () => {
  const ctx = await gpu();
  if (!ctx) return;
  const e = new Engine({ engine: 'webgpu', baseUrl: `${location.origin}/` });
  const info = await e.load({ kind: 'file', name: 'stories260K.gguf', bytes: bytes!.slice().buffer });
  expect(info.engine).toBe('webgpu');
  const before = await e.generate({ prompt: 'Once upon a time', temperature: 0, max_tokens: 8 });
  const p = await e.profile();
  const L = info.config.nLayers;
  for (const run of [p.decode, p.prefill]) {
    expect(run).toHaveLength(1 + L * LAYER_STEPS.length + 2);
    expect(run[0].kernel).toBe('embed');
    expect(run.at(-1)!.kernel).toBe('head');
    expect(run.filter((k) => k.kernel === 'attention').map((k) => k.layer)).toEqual([0, 1, 2, 3, 4]);
    expect(run.every((k) => k.ms >= 0 && Number.isFinite(k.ms))).toBe(true);
    expect(run.reduce((s, k) => s + k.ms, 0)).toBeGreaterThan(0);
  }
  expect(p.prefillTokens).toBeGreaterThan(1);
  const after = await e.generate({ prompt: 'Once upon a time', temperature: 0, max_tokens: 8 });
  expect(after.tokens).toEqual(before.tokens);
});
