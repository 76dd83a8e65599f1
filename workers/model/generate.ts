// The token loop shared by every engine: prefill the prompt (reusing the KV cache of a common prefix with the
// previous request), then sample, stream and stop — at EOS, a stop string, max_tokens, or when aborted. It gives the
// event loop a turn before every forward, so a stop() sent from another thread is seen before the next token's work.
// When a step fails because the GPU device was lost, `recover` hands it a new engine: the loop runs the KV cache's
// positions again, step for step as they were first run (so every key and value is the same to the bit), and goes on.
import type { EngineEvent, FinishReason, TokenLogprob, Usage } from '../api.ts';
import { fail } from '../errors.ts';
import type { Tokenizer } from '../tokenizer/types.ts';
import { TokenTextStream } from '../tokenizer/stream.ts';
import { chunks, type Forward } from './forward.ts';
import { logprobsOf, Sampler, type SamplingParams } from './sampler.ts';

export interface LoopRequest {
  promptTokens: number[];
  maxTokens: number;
  sampling: SamplingParams;
  seed: number;
  stop: string[];
  topLogprobs: number | null; // null: no logprobs
}

export interface LoopResult {
  tokens: number[];
  text: string;
  finish: FinishReason;
  usage: Usage;
  logprobs: TokenLogprob[] | null;
}

/**
 * The KV cache's contents, so the next request can skip a common prefix: its tokens, and the sizes of the forward
 * calls that wrote them, in order (a prefill chunk and a decode step may round differently, so a replay runs the
 * same calls).
 */
export interface CacheState { tokens: number[]; steps: number[] }

export const emptyCache = (): CacheState => ({ tokens: [], steps: [] });

/** Keeps the first n positions (a common prefix with the next prompt). */
function truncate(cache: CacheState, n: number): void {
  const steps: number[] = [];
  let sum = 0;
  for (const s of cache.steps) {
    if (sum + s >= n) { if (n > sum) steps.push(n - sum); break; }
    steps.push(s);
    sum += s;
  }
  cache.steps = steps;
  cache.tokens = cache.tokens.slice(0, n);
}

/** Writes the cache's positions into a fresh engine's KV cache with the calls that first wrote them. */
export async function replay(forward: Forward, cache: CacheState): Promise<void> {
  let pos = 0;
  for (const n of cache.steps) {
    await forward.forward(cache.tokens.slice(pos, pos + n), pos);
    pos += n;
  }
}

/** Gives a failed step's engine back as a new one (after a lost GPU device), or null when it can't be recovered. */
export type Recover = (error: unknown) => Promise<Forward | null>;

export const PREFILL_CHUNK = 128;

const now = () => performance.now();
/**
 * Lets the event loop run (a stop() call, message delivery) between tokens. In a browser worker a MessageChannel
 * round trip, not setTimeout(0): browsers clamp nested timers to 4 ms, a quarter of a 16 ms streaming frame.
 * In Node (the CLI) setImmediate, which also keeps the process alive while it waits.
 */
let channel: MessageChannel | null = null;
function yieldToEventLoop(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (f: () => void) => void }).setImmediate;
  if (immediate) return new Promise<void>((resolve) => immediate(resolve));
  channel ??= new MessageChannel();
  const { port1, port2 } = channel;
  return new Promise<void>((resolve) => {
    port1.onmessage = () => resolve();
    port2.postMessage(0);
  });
}

export async function runLoop(forward: Forward, tokenizer: Tokenizer, req: LoopRequest, cache: CacheState,
  emit: (e: EngineEvent) => void, aborted: () => boolean, recover?: Recover): Promise<LoopResult> {
  const prompt = req.promptTokens;
  if (prompt.length === 0) throw fail('bad-request', 'the prompt is empty: type something, or load a model whose tokenizer adds BOS');
  if (prompt.length + 1 > forward.maxSeq) {
    throw fail('context-overflow', `the prompt is ${prompt.length} tokens; this model's context holds ${forward.maxSeq}: shorten it or clear the conversation`);
  }
  const maxTokens = Math.max(0, Math.min(req.maxTokens, forward.maxSeq - prompt.length));
  const sampler = new Sampler(req.sampling, req.seed);
  const t0 = now();

  // prefill: skip what the cache already holds, but always run the last prompt token to get its logits
  let reuse = 0;
  while (reuse < cache.tokens.length && reuse < prompt.length - 1 && cache.tokens[reuse] === prompt[reuse]) reuse++;
  truncate(cache, reuse);
  // greedy without logprobs needs only the argmax: an engine that picks it on the device reads back one id
  const greedy = req.topLogprobs === null && (req.sampling.temperature === 0 || req.sampling.topK === 1);
  let f = forward;
  let logits: Float32Array = new Float32Array(0);
  let picked = -1; // the next token when the engine picked it (-1: sample from logits)
  let replayNeeded = false;
  /** One forward call at pos, recorded in the cache; after a recovery the cache is replayed first. */
  const step = async (run: number[], pos: number) => {
    for (;;) {
      try {
        if (replayNeeded) { await replay(f, cache); replayNeeded = false; }
        if (greedy && f.greedy) picked = await f.greedy(run, pos);
        else { logits = await f.forward(run, pos); picked = -1; }
        cache.tokens.push(...run);
        cache.steps.push(run.length);
        return;
      } catch (e) {
        const next = recover ? await recover(e) : null;
        if (!next) throw e;
        f = next;
        replayNeeded = true;
        emit({ type: 'recovered', message: `the GPU device was lost: ran the ${cache.tokens.length} positions so far again on the ${next.kind === 'webgpu' ? 'new GPU device' : 'CPU engine'} and went on` });
      }
    }
  };
  for (const [chunk, offset] of chunks(prompt.slice(reuse), PREFILL_CHUNK)) {
    await step(chunk, reuse + offset);
    if (aborted()) break;
  }
  const prefillMs = now() - t0;
  emit({ type: 'prefill', tokens: prompt.length - reuse, ms: prefillMs });

  const decoder = new TokenTextStream(tokenizer);
  decoder.reset(prompt[prompt.length - 1]);
  const tokens: number[] = [];
  const logprobs: TokenLogprob[] | null = req.topLogprobs === null ? null : [];
  let text = '';
  let emitted = 0; // chars of `text` already streamed (the rest may be the start of a stop string)
  let finish: FinishReason = 'length';
  let ttft = 0;
  let tPrev = now();
  while (tokens.length < maxTokens) {
    if (aborted()) { finish = 'abort'; break; }
    const id = picked >= 0 ? picked : sampler.sample(logits);
    if (tokens.length === 0) ttft = now() - t0;
    if (tokenizer.eosIds.includes(id)) { finish = 'stop'; break; }
    tokens.push(id);
    text += decoder.push(id);
    let lp: TokenLogprob | undefined;
    if (logprobs) {
      const r = logprobsOf(logits, id, req.topLogprobs!);
      lp = { token: id, text: tokenizer.tokenText(id), logprob: r.logprob, top: r.top.map((t) => ({ ...t, text: tokenizer.tokenText(t.token) })) };
      logprobs.push(lp);
    }
    const hit = findStop(text, req.stop);
    if (hit >= 0) { text = text.slice(0, hit); finish = 'stop'; }
    const safe = hit >= 0 ? text.length : text.length - heldBack(text, req.stop);
    const t = now();
    emit({ type: 'token', id, text: text.slice(emitted, safe), logprob: lp, ms: t - tPrev });
    tPrev = t;
    emitted = safe;
    if (hit >= 0 || tokens.length >= maxTokens) break;
    await yieldToEventLoop(); // a stop() waiting in the queue is seen before the next forward starts
    if (aborted()) { finish = 'abort'; break; }
    await step([id], prompt.length + tokens.length - 1);
  }
  text += decoder.flush();
  const tEnd = now();
  const decodeTokens = Math.max(0, tokens.length - 1);
  const decodeMs = tokens.length > 1 ? tEnd - t0 - ttft : 0;
  const usage: Usage = {
    prompt_tokens: prompt.length,
    completion_tokens: tokens.length,
    prefill_tokens: prompt.length - reuse,
    prefill_ms: prefillMs,
    ttft_ms: ttft,
    decode_tokens: decodeTokens,
    decode_ms: decodeMs,
    prefill_tok_s: prefillMs > 0 ? ((prompt.length - reuse) / prefillMs) * 1000 : 0,
    decode_tok_s: decodeMs > 0 ? (decodeTokens / decodeMs) * 1000 : 0,
  };
  if (emitted < text.length) emit({ type: 'token', id: -1, text: text.slice(emitted), ms: 0 });
  emit({ type: 'done', finish, usage });
  return { tokens, text, finish, usage, logprobs };
}

/** Index of the first stop string in text, or -1. */
function findStop(text: string, stops: string[]): number {
  let best = -1;
  for (const s of stops) {
    if (!s) continue;
    const i = text.indexOf(s);
    if (i >= 0 && (best < 0 || i < best)) best = i;
  }
  return best;
}

/** How many trailing chars of text could begin a stop string (held back from the stream until decided). */
function heldBack(text: string, stops: string[]): number {
  let hold = 0;
  for (const s of stops) {
    for (let len = Math.min(s.length - 1, text.length); len > hold; len--) {
      if (text.endsWith(s.slice(0, len))) { hold = len; break; }
    }
  }
  return hold;
}
