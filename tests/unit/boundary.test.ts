// The worker boundary: what crosses it (a typed failure, never a stack), and what may not (src/ importing worker
// runtime code, a Worker made outside its one place), each checked the way it is enforced.
import { describe, expect, test } from 'vitest';
import { ESLint } from 'eslint';
import { expose, wrap } from 'comlink';
import { sendFailuresAsData } from '../../workers/boundary.ts';
import { EngineError, failureOf, asEngineError } from '../../workers/errors.ts';

describe('failures cross as { code, message, detail }', () => {
  test('classification: engine errors keep their code; the Hub, aborts and allocation failures get theirs', () => {
    expect(failureOf(new EngineError('context-overflow', 'too long'))).toEqual({ code: 'context-overflow', message: 'too long' });
    const gated = Object.assign(new Error('meta-llama/Llama-3.2-1B is gated: accept its licence'), { name: 'HubError', code: 'GatedRepo' });
    expect(failureOf(gated)).toEqual({ code: 'bad-request', message: gated.message, detail: 'GatedRepo' });
    expect(failureOf(Object.assign(new Error('fetch failed'), { name: 'HubError', code: 'Network' })).code).toBe('network');
    expect(failureOf(Object.assign(new Error('stopped'), { name: 'AbortError' })).code).toBe('aborted');
    expect(failureOf(new RangeError('Array buffer allocation failed')).code).toBe('out-of-memory');
    expect(failureOf(new TypeError("Cannot read properties of undefined (reading 'x')"), 'bad-model').code).toBe('bad-model');
    expect(failureOf(new TypeError('boom')).code).toBe('internal');
    expect(failureOf({ code: 'not-a-code', message: 'x' }).code).toBe('internal');
  });

  test('one line for people: a multi-line message keeps its first line, a long one is cut', () => {
    const e = new Error('\n  first line\nsecond line\n    at foo (file.ts:1:2)');
    expect(failureOf(e).message).toBe('first line');
    expect(failureOf(new Error('x'.repeat(1000))).message).toHaveLength(298);
  });

  test('through comlink: code and detail arrive, the worker stack does not', async () => {
    sendFailuresAsData();
    const { port1, port2 } = new MessageChannel();
    expose({
      async load() { throw new EngineError('bad-model', 'model.safetensors is truncated at byte 12: download it again', 'Truncated'); },
      async crash() { throw new TypeError('undefined is not a function\n    at secret (/home/me/engine.ts:10:5)'); },
    }, port1);
    const remote = wrap<{ load(): Promise<void>; crash(): Promise<void> }>(port2);
    const err = await remote.load().catch((e: unknown) => e) as Error & { code: string; detail: string };
    expect(err.code).toBe('bad-model');
    expect(err.detail).toBe('Truncated');
    expect(err.message).toBe('model.safetensors is truncated at byte 12: download it again');
    expect(err.stack ?? '').not.toContain('engine.ts');
    expect(asEngineError(err)).toMatchObject({ code: 'bad-model', detail: 'Truncated' });
    const crash = await remote.crash().catch((e: unknown) => e) as Error & { code: string };
    expect(crash.code).toBe('internal');
    expect(crash.message).toBe('undefined is not a function');
    expect(JSON.stringify(crash) + (crash.stack ?? '')).not.toContain('/home/me');
    port1.close();
    port2.close();
  });
});

describe('the boundary holds by lint', () => {
  const eslint = new ESLint();
  const messages = async (code: string, file: string) => (await eslint.lintText(code, { filePath: file }))[0].messages.map((m) => m.message);

  test('src/ may import the contract types and workers/shared.ts only', async () => {
    expect(await messages("import { Engine } from '../../workers/engine.ts';\nexport const e = Engine;\n", 'src/engine/x.ts')).toEqual([expect.stringMatching(/workers/)]);
    expect(await messages("import { fp8 } from '../../workers/quant/fp8.ts';\nexport const f = fp8;\n", 'src/components/x.ts')).toHaveLength(1);
    expect(await messages("import type { ModelInfo } from '../../workers/api.ts';\nexport type M = ModelInfo;\n", 'src/engine/x.ts')).toEqual([]);
    expect(await messages("import { oneLine } from '../../workers/shared.ts';\nexport const o = oneLine;\n", 'src/engine/x.ts')).toEqual([]);
  });

  test('a Worker is made only in src/engine/client.ts or workers/spawn.ts', async () => {
    const code = "export const w = new Worker(new URL('./w.ts', import.meta.url), { type: 'module' });\n";
    expect(await messages(code, 'src/components/x.ts')).toEqual([expect.stringMatching(/create Workers in/)]);
    expect(await messages(code, 'workers/pipeline/x.ts')).toEqual([expect.stringMatching(/create Workers in/)]);
    expect(await messages(code, 'src/engine/client.ts')).toEqual([]);
  });
});
