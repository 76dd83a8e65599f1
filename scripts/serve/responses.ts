// The response objects of OpenAI's chat/completions and (legacy) completions APIs, whole and as stream chunks.
import type { FinishReason, TokenLogprob, Usage } from '../../workers/api.ts';

export interface Ids { id: string; created: number; model: string }

const bytes = (s: string) => [...new TextEncoder().encode(s)];

/** The text of one token as OpenAI shows it (decoded; an incomplete UTF-8 sequence shows as U+FFFD, `bytes` exact). */
export type TokenText = (id: number) => string;

/** Chat logprobs: {content: [{token, logprob, bytes, top_logprobs: [...]}]}. */
export function chatLogprobs(lps: TokenLogprob[], text: TokenText) {
  return {
    content: lps.map((l) => ({
      token: text(l.token), logprob: l.logprob, bytes: bytes(text(l.token)),
      top_logprobs: l.top.map((t) => ({ token: text(t.token), logprob: t.logprob, bytes: bytes(text(t.token)) })),
    })),
  };
}

/** Legacy completion logprobs: parallel lists, top_logprobs as {token: logprob} maps; offsets from `offset` on. */
export function completionLogprobs(lps: TokenLogprob[], text: TokenText, offset = 0) {
  const text_offset: number[] = [];
  let at = offset;
  for (const l of lps) { text_offset.push(at); at += text(l.token).length; }
  return {
    tokens: lps.map((l) => text(l.token)),
    token_logprobs: lps.map((l) => l.logprob),
    top_logprobs: lps.map((l) => Object.fromEntries(l.top.map((t) => [text(t.token), t.logprob]))),
    text_offset,
  };
}

export const usageOf = (u: Usage) => ({ prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens, total_tokens: u.prompt_tokens + u.completion_tokens });

/** The engine's finish reasons as OpenAI's: a stop string or EOS is 'stop', max_tokens 'length'. */
export const finishOf = (f: FinishReason) => (f === 'length' ? 'length' : 'stop');

export function chatCompletion(ids: Ids, content: string, finish: FinishReason, usage: Usage, logprobs: unknown) {
  return {
    id: ids.id, object: 'chat.completion', created: ids.created, model: ids.model,
    choices: [{ index: 0, message: { role: 'assistant', content }, logprobs, finish_reason: finishOf(finish) }],
    usage: usageOf(usage),
  };
}

export function chatChunk(ids: Ids, delta: Record<string, string>, logprobs: unknown, finish: string | null, withUsage: boolean) {
  return {
    id: ids.id, object: 'chat.completion.chunk', created: ids.created, model: ids.model,
    choices: [{ index: 0, delta, logprobs, finish_reason: finish }],
    ...(withUsage ? { usage: null } : {}),
  };
}

export function textCompletion(ids: Ids, text: string, finish: FinishReason, usage: Usage, logprobs: unknown) {
  return {
    id: ids.id, object: 'text_completion', created: ids.created, model: ids.model,
    choices: [{ index: 0, text, logprobs, finish_reason: finishOf(finish) }],
    usage: usageOf(usage),
  };
}

export function textChunk(ids: Ids, text: string, logprobs: unknown, finish: string | null, withUsage: boolean) {
  return {
    id: ids.id, object: 'text_completion', created: ids.created, model: ids.model,
    choices: [{ index: 0, text, logprobs, finish_reason: finish }],
    ...(withUsage ? { usage: null } : {}),
  };
}

/** The last chunk when stream_options.include_usage is set: no choices, the usage. */
export const usageChunk = (ids: Ids, object: string, usage: Usage) => ({ id: ids.id, object, created: ids.created, model: ids.model, choices: [], usage: usageOf(usage) });
