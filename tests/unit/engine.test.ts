// The engine as the UI and the CLI use it (CPU engine in Node), on the real stories260K model.
import { describe, expect, test } from 'vitest';
import { Engine } from '../../workers/engine.ts';
import type { EngineEvent } from '../../workers/api.ts';
import { readShared, STORIES, type Golden } from './shared.ts';

const bytes = readShared(STORIES);
const golden = JSON.parse(readShared('golden/stories260K/greedy.json')?.toString() ?? '[]') as Golden[];

async function engine(warmUpBytes?: number): Promise<Engine> {
  const e = new Engine({ engine: 'cpu', baseUrl: 'http://localhost/', warmUpBytes });
  await e.load({ kind: 'file', name: 'stories260K.gguf', bytes: bytes!.buffer.slice(bytes!.byteOffset, bytes!.byteOffset + bytes!.byteLength) as ArrayBuffer });
  return e;
}

describe.runIf(bytes)('engine on stories260K (CPU)', () => {
  test('a load says where its time went: files, headers, weights, within the total', async () => {
    const e = new Engine({ engine: 'cpu', baseUrl: 'http://localhost/' });
    const before = performance.now();
    const info = await e.load({ kind: 'file', name: 'stories260K.gguf', bytes: bytes!.buffer.slice(bytes!.byteOffset, bytes!.byteOffset + bytes!.byteLength) as ArrayBuffer });
    const wall = performance.now() - before;
    const t = info.loadMs;
    for (const part of [t.files, t.headers, t.weights]) expect(part).toBeGreaterThanOrEqual(0);
    expect(t.weights).toBeGreaterThan(0); // packing 260K weights takes some time
    expect(t.files + t.headers + t.weights).toBeLessThanOrEqual(t.total + 1e-9);
    expect(t.total).toBeLessThanOrEqual(wall);
    expect((await e.info())!.loadMs).toEqual(t); // kept for the model panel
  });

  test('greedy generation reproduces llama2.c and streams batched events', async () => {
    const e = await engine();
    const g = golden[0];
    const batches: EngineEvent[][] = [];
    const r = await e.generate({ prompt: g.prompt, temperature: 0, max_tokens: 40 }, (ev) => batches.push(ev));
    expect(r.promptTokens).toEqual(g.prompt_tokens);
    expect(r.tokens).toEqual(g.greedy_continuation.slice(0, 40));
    const events = batches.flat();
    expect(events[0].type).toBe('prefill');
    expect(events.at(-1)?.type).toBe('done');
    const streamed = events.filter((x) => x.type === 'token').map((x) => (x as { text: string }).text).join('');
    expect(streamed).toBe(r.text);
    expect(r.text.length).toBeGreaterThan(20);
    expect(r.usage.completion_tokens).toBe(40);
    expect(r.usage.decode_tok_s).toBeGreaterThan(0);
    expect(r.finish).toBe('length');
  });

  test('a common prefix is reused from the KV cache and gives the same output', async () => {
    const e = await engine();
    const a = await e.generate({ prompt: 'Once upon a time', temperature: 0, max_tokens: 20 });
    const b = await e.generate({ prompt: 'Once upon a time', temperature: 0, max_tokens: 20 });
    expect(b.tokens).toEqual(a.tokens);
    expect(b.usage.prefill_tokens).toBe(1); // only the last prompt token runs again
    const c = await e.generate({ prompt: 'Once upon a time, there was', temperature: 0, max_tokens: 10 });
    const fresh = await (await engine()).generate({ prompt: 'Once upon a time, there was', temperature: 0, max_tokens: 10 });
    expect(c.tokens).toEqual(fresh.tokens);
  });

  test('the same seed gives the same sampled output', async () => {
    const e = await engine();
    const req = { prompt: 'Lily went', temperature: 1, top_p: 0.9, top_k: 40, seed: 1234, max_tokens: 30 };
    const a = await e.generate(req), b = await e.generate(req);
    expect(a.tokens).toEqual(b.tokens);
    const c = await e.generate({ ...req, seed: 99 });
    expect(c.tokens).not.toEqual(a.tokens);
  });

  test('the warm-up after a small model loads changes no answer: the first one is the same as without it, token for token', async () => {
    const req = { prompt: 'Lily went', temperature: 0.8, top_p: 0.9, top_k: 40, seed: 77, max_tokens: 30 };
    const warm = await engine(), cold = await engine(0);
    const [a, b] = [await warm.generate(req), await cold.generate(req)];
    expect(a.tokens).toEqual(b.tokens);
    expect(a.usage.prefill_tokens).toBe(b.usage.prefill_tokens); // nothing of the warm-up's run is reused as a prefix
    expect((await warm.generate({ ...req, temperature: 0 })).tokens).toEqual((await cold.generate({ ...req, temperature: 0 })).tokens);
  });

  test('stop strings end generation and are not included', async () => {
    const e = await engine();
    const full = await e.generate({ prompt: 'Once upon a time', temperature: 0, max_tokens: 60 });
    const word = full.text.trim().split(/\s+/)[3];
    const r = await e.generate({ prompt: 'Once upon a time', temperature: 0, max_tokens: 60, stop: [word] });
    expect(r.finish).toBe('stop');
    expect(r.text).toBe(full.text.slice(0, full.text.indexOf(word)));
  });

  test('stop() halts within a token', async () => {
    const e = await engine();
    let n = 0;
    const r = await e.generate({ prompt: 'Once upon a time', temperature: 0.8, seed: 1, max_tokens: 400 }, (ev) => {
      n += ev.filter((x) => x.type === 'token').length;
      if (n >= 5) e.stop();
    });
    expect(r.finish).toBe('abort');
    expect(r.tokens.length).toBeLessThan(400);
  });

  test('logprobs: log-softmax with top alternatives, greedy token on top', async () => {
    const e = await engine();
    const r = await e.generate({ prompt: 'Once upon a time', temperature: 0, max_tokens: 5, logprobs: true, top_logprobs: 3 });
    expect(r.logprobs).toHaveLength(5);
    for (const [i, lp] of r.logprobs!.entries()) {
      expect(lp.token).toBe(r.tokens[i]);
      expect(lp.top).toHaveLength(3);
      expect(lp.top[0].token).toBe(lp.token);
      expect(lp.logprob).toBeLessThanOrEqual(0);
    }
  });

  test('a prompt over the context length is a clear error, and the engine keeps working', async () => {
    const e = await engine();
    const long = 'Once upon a time there was a dog. '.repeat(400); // ~4000 tokens; the GGUF says context 2048
    await expect(e.generate({ prompt: long, max_tokens: 5 })).rejects.toThrow(/context holds 2048/);
    const ok = await e.generate({ prompt: 'Hi', temperature: 0, max_tokens: 3 });
    expect(ok.tokens).toHaveLength(3);
  });

  test('a corrupt file fails to load with one line and the previous model stays loaded', async () => {
    const e = await engine();
    const junk = new Uint8Array(300).map((_, i) => (i * 37) & 255);
    junk.set([0x47, 0x47, 0x55, 0x46, 3, 0, 0, 0]); // GGUF v3 header, then garbage counts
    await expect(e.load({ kind: 'file', name: 'bad.gguf', bytes: junk.buffer })).rejects.toThrow(/^[^\n]+$/);
    await expect(e.load({ kind: 'file', name: 'notes.txt', bytes: new TextEncoder().encode('hello').buffer })).rejects.toThrow(/not a model/);
    const info = await e.info();
    expect(info?.name).toBe('stories260K');
    const r = await e.generate({ prompt: 'Once upon a time', temperature: 0, max_tokens: 5 });
    expect(r.tokens).toEqual(golden[0].greedy_continuation.slice(0, 5));
  });

  test('chat messages need a chat template', async () => {
    const e = await engine();
    await expect(e.generate({ messages: [{ role: 'user', content: 'hi' }] })).rejects.toThrow(/no chat template/);
  });

  test('precision switches live: numerics, histograms and quality on the current conversation', async () => {
    const e = await engine();
    await expect(e.quality()).rejects.toThrow(/send a message first/);
    const before = (await e.info())!.weightBytes;
    const info = await e.setPrecision('fp8-llama3');
    expect(info.precision.preset).toBe('fp8-llama3');
    expect(info.weightBytes).toBeLessThan(before / 2);
    await e.generate({ prompt: 'Once upon a time', temperature: 0, max_tokens: 30 });
    const q = await e.quality();
    expect(q.precision).toBe('fp8-llama3');
    expect(q.tokens).toBe(5 + 29 - 1); // the cache holds the prompt and every generated token but the last
    expect(q.kl_mean).toBeGreaterThan(0);
    expect(q.top1_agreement).toBeGreaterThan(0.8);
    const n = await e.numerics();
    expect(n.find((t) => t.label === 'L1.w3')?.dtype).toBe('fp8e4m3');
    const d = await e.tensorDetail('L1.w3');
    expect(d.histogram.counts).toHaveLength(128);
    expect(d.histogram.counts.reduce((a, b) => a + b, 0)).toBe(d.histogram.total);
    await expect(e.tensorDetail('L9.nope')).rejects.toThrow(/no tensor named/);
    const custom = await e.setPrecision({ layer: 0, matrix: 'wq', spec: { dtype: 'fp8e5m2', act: null } });
    expect(custom.precision.preset).toBe('custom');
    expect(custom.precision.layers[0].wq.dtype).toBe('fp8e5m2');
    const f32 = await e.setPrecision('f32');
    expect(f32.weightBytes).toBe(before);
    const g = await e.generate({ prompt: 'Once upon a time', temperature: 0, max_tokens: 10 });
    expect(g.tokens).toEqual(golden[0].greedy_continuation.slice(0, 10));
  });

  test('a whole precision map applies at once; the embedding has numerics; profiling needs WebGPU', async () => {
    const e = await engine();
    const info = await e.setPrecision('fp8-all');
    const map = structuredClone(info.precision);
    await e.setPrecision('f32');
    const again = await e.setPrecision(map);
    expect(again.precision).toEqual(map);
    expect(again.weightBytes).toBe(info.weightBytes);
    await expect(e.setPrecision({ ...map, layers: map.layers.slice(1) })).rejects.toThrow(/does not fit this model/);
    const emb = (await e.numerics()).find((t) => t.label === 'embedding')!;
    expect(emb.dtype).toBe('bf16');
    expect(emb.amax).toBeGreaterThan(0);
    expect((await e.tensorDetail('embedding')).histogram.total).toBe(512 * 64);
    await expect(e.profile()).rejects.toThrow(/needs the WebGPU engine/);
  });
});
