// The page scripts/bench/threads.ts drives in headless Chromium (no WebGPU flags: the app's CPU engine, in its Web
// Worker behind comlink, as a browser without WebGPU runs it), cross-origin isolated as the app is served: our
// engine on a Hugging Face checkpoint folder, then llama.cpp compiled to wasm (@wllama/wllama, its pthread build)
// on the same weights as one GGUF, each at every thread count asked for, greedy, the same prompt and length.
import { proxy, wrap } from 'comlink';
import { Wllama, type RawCompletionParams } from '@wllama/wllama';
import wasmUrl from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import type { EngineApi, EngineEvent } from '../../workers/api.ts';

export interface ThreadsArgs {
  folderUrl: string; ggufUrl: string; threads: number[]; prompt: string; maxTokens: number; runs: number;
  /** Token ids wllama may not emit: pieces that are not whole UTF-8 (its result's JSON dump throws on a lone byte). */
  banned: number[];
}
export interface ThreadsRun { tokS: number; tokens: number }
export interface ThreadsConfig { threads: number; runs: ThreadsRun[]; loadMs: number }
export interface ThreadsResult { ours: ThreadsConfig[]; wllama: ThreadsConfig[]; crossOriginIsolated: boolean; cores: number }

/** `runs` runs after one warm-up (JIT and wasm tier-up, the thread pool's first wake). */
async function afterWarmUp(once: () => Promise<ThreadsRun>, runs: number): Promise<ThreadsRun[]> {
  await once();
  const out: ThreadsRun[] = [];
  for (let i = 0; i < runs; i++) out.push(await once());
  return out;
}

async function oursAt(a: ThreadsArgs, threads: number): Promise<ThreadsConfig> {
  const worker = new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), { type: 'module', name: 'engine' });
  try {
    const engine = wrap<EngineApi>(worker);
    const t0 = performance.now();
    const info = await engine.load({ kind: 'url', url: a.folderUrl }, undefined, { threads });
    const loadMs = performance.now() - t0;
    const l = info.loadMs, sec = (ms: number) => (ms / 1000).toFixed(1);
    console.log(`bench: ours loaded: files ${sec(l.files)} s, headers and tokenizer ${sec(l.headers)} s, weights read and packed ${sec(l.weights)} s`);
    if (info.engine !== 'cpu') throw new Error(`the page ran the ${info.engine} engine, not the CPU engine`);
    if (info.threads !== threads) throw new Error(`asked for ${threads} threads, the engine runs ${info.threads}${info.notice ? `: ${info.notice}` : ''}`);
    const onEvents = proxy((_: EngineEvent[]) => {}); // the app's path: every batch of token events crosses back
    const once = async (): Promise<ThreadsRun> => {
      const r = await engine.generate({ prompt: a.prompt, max_tokens: a.maxTokens, temperature: 0, seed: 0 }, onEvents);
      return { tokS: r.usage.decode_tok_s, tokens: r.tokens.length };
    };
    return { threads, runs: await afterWarmUp(once, a.runs), loadMs };
  } finally {
    worker.terminate();
  }
}

async function wllamaAt(a: ThreadsArgs, blob: Blob, threads: number): Promise<ThreadsConfig> {
  const quiet = { debug: () => {}, log: () => {}, warn: () => {}, error: console.error };
  const w = new Wllama({ default: wasmUrl }, { logger: quiet, suppressNativeLog: true });
  try {
    const t0 = performance.now();
    // llama.cpp's CPU backend; more than one thread runs its pthread pool (needs crossOriginIsolated); f32 KV like ours
    await w.loadModel([blob], { n_gpu_layers: 0, n_threads: threads, n_ctx: 512, cache_type_k: 'f32', cache_type_v: 'f32', flash_attn: false });
    const loadMs = performance.now() - t0;
    if (w.getNumThreads() !== threads) throw new Error(`wllama runs ${w.getNumThreads()} threads, not ${threads} (is the page cross-origin isolated?)`);
    // llama-server's OpenAI-style map (token id -> bias); wllama's types also list a {token, bias}[] form, whose
    // intersection with the map no value satisfies, hence the cast
    const logit_bias = Object.fromEntries(a.banned.map((id) => [String(id), -100])) as RawCompletionParams['logit_bias'] & Record<string, number>;
    const once = async (): Promise<ThreadsRun> => {
      const r = await w.createCompletion({ prompt: a.prompt, max_tokens: a.maxTokens, temperature: 0, logit_bias });
      // llama.cpp's own decode rate: generated tokens after the first over the time they took (its server's timings)
      return { tokS: r.timings?.predicted_per_second ?? NaN, tokens: r.usage.completion_tokens };
    };
    return { threads, runs: await afterWarmUp(once, a.runs), loadMs };
  } finally {
    await w.exit();
  }
}

async function bench(a: ThreadsArgs): Promise<ThreadsResult> {
  if (!self.crossOriginIsolated) throw new Error('the page is not cross-origin isolated: no SharedArrayBuffer, so no threads');
  const res: ThreadsResult = { ours: [], wllama: [], crossOriginIsolated: self.crossOriginIsolated, cores: navigator.hardwareConcurrency };
  const done = (name: string, c: ThreadsConfig) => console.log(`bench: ${name} at ${c.threads} thread(s): ${c.runs.map((r) => r.tokS.toFixed(1)).join(' ')} tok/s (load ${(c.loadMs / 1000).toFixed(1)} s)`);
  for (const t of a.threads) { res.ours.push(await oursAt(a, t)); done('ours', res.ours.at(-1)!); }
  const blob = await (await fetch(a.ggufUrl)).blob();
  for (const t of a.threads) { res.wllama.push(await wllamaAt(a, blob, t)); done('wllama', res.wllama.at(-1)!); }
  return res;
}

(window as unknown as { __bench: unknown }).__bench = (a: ThreadsArgs) =>
  bench(a).then((value) => ({ ok: true, value }), (e: unknown) => ({ ok: false, error: e instanceof Error ? e.message : String(e) }));
