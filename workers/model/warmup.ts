// A warm-up run right after a small model loads on the CPU engine (llama.cpp warms up at load the same way): one
// short answer nobody sees, so the first real one does not pay for the JIT's first pass over the forward, the
// sampler, the tokenizer and the chat template (~60 ms of the default model's first prefill on a 2-core machine).
import type { GenerateRequest } from '../api.ts';
import type { Forward } from './forward.ts';
import type { LoadedModel } from '../loader/types.ts';
import { emptyCache, runLoop } from './generate.ts';
import { buildPrompt } from './prompt.ts';

/**
 * The largest model (weight bytes as loaded) warmed up: the warm-up's saving is the same whatever the model's size,
 * its cost is two passes over the weights, which must stay small beside it.
 */
export const WARM_UP_BYTES = 32 * 2 ** 20;

/** A one-message chat (or a plain prompt), its prefill and one decoded token, sampled with top-k and top-p so the
 * sampler's path runs too. It uses a KV cache record of its own: the caller's stays as it was. */
export async function warmUp(model: LoadedModel, forward: Forward): Promise<void> {
  const request: GenerateRequest = model.chatTemplate ? { messages: [{ role: 'user', content: 'Hi' }], max_tokens: 2 } : { prompt: 'Hi', max_tokens: 2 };
  const promptTokens = buildPrompt(model, request, forward.maxSeq).tokens;
  await runLoop(forward, model.tokenizer, { promptTokens, maxTokens: 2, sampling: { temperature: 0.8, topK: 40, topP: 0.9 }, seed: 1, stop: [], topLogprobs: null },
    emptyCache(), () => {}, () => false);
}
