// Where WebAssembly SIMD is missing, the CPU engine runs its TypeScript kernels and says so in ModelInfo.notice.
// (Its own file: the SIMD module is compiled once per module graph, and here validation is made to fail first.)
import { expect, test, vi } from 'vitest';
import { readShared, STORIES } from './shared.ts';

const bytes = readShared(STORIES);

test.runIf(bytes)('no WebAssembly SIMD: TypeScript kernels, a notice, the same text', async () => {
  if (!bytes) return;
  const buf = () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const request = { prompt: 'Once upon a time', max_tokens: 24, temperature: 0, seed: 0 };
  const { Engine } = await import('../../workers/engine.ts');
  const withSimd = new Engine({ engine: 'cpu', baseUrl: 'http://localhost/' });
  expect((await withSimd.load({ kind: 'file', name: 'stories260K.gguf', bytes: buf() })).notice).toBeNull();
  const want = (await withSimd.generate(request)).text;

  vi.resetModules();
  const validate = vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
  try {
    const fresh = await import('../../workers/engine.ts');
    const e = new fresh.Engine({ engine: 'cpu', baseUrl: 'http://localhost/' });
    const info = await e.load({ kind: 'file', name: 'stories260K.gguf', bytes: buf() });
    expect(info.notice).toMatch(/WebAssembly SIMD unavailable: the CPU engine runs its TypeScript kernels/);
    expect((await e.generate(request)).text).toBe(want);
    const { createCpuLinear } = await import('../../workers/reference/linear.ts');
    const spec = { dtype: 'f32', scale: 'row', act: null, actBound: null, bf16Rounding: 'nearest' } as const;
    expect(createCpuLinear(new Float32Array(64), 8, 8, spec).kernel).toBe('typescript');
    expect(() => createCpuLinear(new Float32Array(64), 8, 8, spec, 'wasm')).toThrow(/no WebAssembly SIMD kernel/);
  } finally { validate.mockRestore(); }
});
