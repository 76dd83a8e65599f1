// The page scripts/bench/wllama.ts drives in headless Chromium (no WebGPU flags: the app's CPU engine): our engine as
// the app runs it (its Web Worker behind comlink, events streamed back through a proxy) and llama.cpp compiled to
// wasm (@wllama/wllama, one thread, CPU backend), on the same GGUF, same prompt, greedy, in alternation.
import { proxy, wrap } from 'comlink';
import { Wllama } from '@wllama/wllama';
import wasmUrl from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import type { EngineApi, EngineEvent } from '../../workers/api.ts';

export interface PageArgs { url: string; prompt: string; maxTokens: number; runs: number }
export interface PageRun { tokS: number; tokens: number; text: string }
export interface PageResult { ours: PageRun[]; wllama: PageRun[]; engine: string; notice: string | null; crossOriginIsolated: boolean }

async function bench(a: PageArgs): Promise<PageResult> {
  const worker = new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), { type: 'module', name: 'engine' });
  const engine = wrap<EngineApi>(worker);
  const info = await engine.load({ kind: 'url', url: a.url });
  let streamed = 0; // the app's path: every batch of token events crosses back to the page
  const onEvents = proxy((events: EngineEvent[]) => { for (const e of events) if (e.type === 'token') streamed += e.text.length; });
  const ours = async (): Promise<PageRun> => {
    const r = await engine.generate({ prompt: a.prompt, max_tokens: a.maxTokens, temperature: 0, seed: 0 }, onEvents);
    return { tokS: r.usage.decode_tok_s, tokens: r.tokens.length, text: r.text };
  };

  const bytes = await (await fetch(a.url)).arrayBuffer();
  const quiet = { debug: () => {}, log: () => {}, warn: () => {}, error: console.error };
  const w = new Wllama({ default: wasmUrl }, { logger: quiet, suppressNativeLog: true });
  // llama.cpp's CPU backend, one thread (as ours: this comparison is one thread each), f32 KV cache like ours
  await w.loadModel([new Blob([bytes])], { n_gpu_layers: 0, n_threads: 1, n_ctx: 512, cache_type_k: 'f32', cache_type_v: 'f32', flash_attn: false });
  const wllama = async (): Promise<PageRun> => {
    const r = await w.createCompletion({ prompt: a.prompt, max_tokens: a.maxTokens, temperature: 0 });
    // llama.cpp's own decode rate: generated tokens after the first over the time they took (its server's timings)
    return { tokS: r.timings?.predicted_per_second ?? NaN, tokens: r.usage.completion_tokens, text: r.choices[0].text };
  };

  await ours(); await wllama(); // warm-up: JIT, wasm tier-up, caches
  const res: PageResult = { ours: [], wllama: [], engine: info.engine, notice: info.notice ?? null, crossOriginIsolated: self.crossOriginIsolated };
  for (let i = 0; i < a.runs; i++) { res.ours.push(await ours()); res.wllama.push(await wllama()); }
  await w.exit();
  worker.terminate();
  if (streamed === 0) throw new Error('no token events reached the page');
  return res;
}

(window as unknown as { __bench: unknown }).__bench = (a: PageArgs) =>
  bench(a).then((value) => ({ ok: true, value }), (e: unknown) => ({ ok: false, error: e instanceof Error ? e.message : String(e) }));
