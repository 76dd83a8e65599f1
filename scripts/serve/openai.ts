// OpenAI request bodies (chat/completions and completions) checked and turned into the engine's GenerateRequest.
// Anything the engine cannot honour is a 400 naming the parameter, as OpenAI's and vLLM's servers answer, never
// silently ignored; fields that change nothing here (user, metadata, a zero penalty) pass.
import type { ChatMessage, GenerateRequest } from '../../workers/api.ts';

/** An HTTP error with OpenAI's error object: {error: {message, type, param, code}}. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly param: string | null = null, readonly code: string | null = null,
    readonly type = status === 401 ? 'authentication_error' : status === 404 ? 'not_found_error' : status >= 500 ? 'server_error' : 'invalid_request_error') {
    super(message);
  }
  body() { return { error: { message: this.message, type: this.type, param: this.param, code: this.code } }; }
}

const bad = (param: string, message: string) => new ApiError(400, message, param, 'invalid_value');

/** What a route needs beyond the engine's request: how to answer (stream or not), with logprobs or usage. */
export interface ParsedRequest {
  kind: 'chat' | 'completion';
  request: GenerateRequest;
  stream: boolean;
  includeUsage: boolean;
  /** Alternatives per token to return (0: only the chosen token's); null: no logprobs asked. */
  topLogprobs: number | null;
}

type Body = Record<string, unknown>;

function asBody(body: unknown): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError(400, 'the request body must be a JSON object');
  return body as Body;
}

function number(b: Body, name: string, lo: number, hi: number, int = false): number | undefined {
  const v = b[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || (int && !Number.isInteger(v))) throw bad(name, `'${name}' must be ${int ? 'an integer' : 'a number'}`);
  if (v < lo || v > hi) throw bad(name, `'${name}' must be between ${lo} and ${hi}, got ${v}`);
  return v;
}

function bool(b: Body, name: string): boolean | undefined {
  const v = b[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw bad(name, `'${name}' must be a boolean`);
  return v;
}

function stops(b: Body): string[] | undefined {
  const v = b.stop;
  if (v === undefined || v === null) return undefined;
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string' && s.length > 0) || list.length > 16) {
    throw bad('stop', "'stop' must be a non-empty string or a list of up to 16 of them");
  }
  return list as string[];
}

/** The options both endpoints share: sampling, length, stop, n = 1, streaming, the model's name. */
function common(b: Body, modelId: string) {
  if (b.model !== undefined && b.model !== modelId) {
    throw new ApiError(404, `The model '${String(b.model)}' does not exist; this server serves '${modelId}'`, 'model', 'model_not_found');
  }
  const n = number(b, 'n', 1, 128, true);
  if (n !== undefined && n !== 1) throw bad('n', "only 'n' = 1 is supported: this server runs one sequence per request");
  for (const p of ['presence_penalty', 'frequency_penalty'] as const) {
    const v = number(b, p, -2, 2);
    if (v !== undefined && v !== 0) throw bad(p, `'${p}' is not supported by this engine (only 0)`);
  }
  if (b.logit_bias !== undefined && b.logit_bias !== null && Object.keys(b.logit_bias as object).length > 0) throw bad('logit_bias', "'logit_bias' is not supported by this engine");
  const maxTokens = number(b, 'max_completion_tokens', 1, 1 << 20, true) ?? number(b, 'max_tokens', 1, 1 << 20, true);
  const topK = number(b, 'top_k', -1, 1 << 20, true); // vLLM's convention: -1 (or 0) is off
  const stream = bool(b, 'stream') ?? false;
  let includeUsage = false;
  if (b.stream_options !== undefined && b.stream_options !== null) {
    if (!stream) throw bad('stream_options', "'stream_options' is only allowed when 'stream' is true");
    const o = asOptions(b.stream_options);
    includeUsage = bool(o, 'include_usage') ?? false;
  }
  const request: GenerateRequest = {
    max_tokens: maxTokens ?? 256,
    temperature: number(b, 'temperature', 0, 2) ?? 1, // OpenAI's default
    top_p: number(b, 'top_p', 0, 1) ?? 1,
    top_k: topK === undefined || topK < 0 ? 0 : topK,
    seed: number(b, 'seed', -(2 ** 63), 2 ** 63, true),
    stop: stops(b),
  };
  if (request.top_p === 0) throw bad('top_p', "'top_p' must be greater than 0");
  if (request.seed !== undefined) request.seed = ((request.seed % 2 ** 31) + 2 ** 31) % 2 ** 31; // the engine's seed range
  for (const k of Object.keys(request) as (keyof GenerateRequest)[]) if (request[k] === undefined) delete request[k];
  return { request, stream, includeUsage };
}

function asOptions(v: unknown): Body {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('stream_options', "'stream_options' must be an object");
  return v as Body;
}

const ROLES: Record<string, ChatMessage['role']> = { system: 'system', developer: 'system', user: 'user', assistant: 'assistant' };

function messages(b: Body): ChatMessage[] {
  const list = b.messages;
  if (!Array.isArray(list) || list.length === 0) throw bad('messages', "'messages' must be a non-empty list");
  return list.map((m, i) => {
    const param = `messages[${i}]`;
    if (typeof m !== 'object' || m === null) throw bad(param, `${param} must be an object with 'role' and 'content'`);
    const { role, content } = m as Body;
    const r = typeof role === 'string' ? ROLES[role] : undefined;
    if (!r) throw bad(`${param}.role`, `${param}.role must be system, developer, user or assistant, got ${JSON.stringify(role)}`);
    return { role: r, content: text(content, `${param}.content`) };
  });
}

/** A message's content: a string, or a list of text parts (joined); images and audio are not understood here. */
function text(content: unknown, param: string): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((p, i) => {
      const part = p as Body | null;
      if (part?.type !== 'text' || typeof part.text !== 'string') throw bad(`${param}[${i}]`, `${param}[${i}] must be a text part ({type: 'text', text}); this model reads text only`);
      return part.text;
    }).join('');
  }
  throw bad(param, `${param} must be a string or a list of text parts`);
}

export function parseChat(body: unknown, modelId: string): ParsedRequest {
  const b = asBody(body);
  const msgs = messages(b);
  if (b.tools !== undefined && b.tools !== null && (b.tools as unknown[]).length > 0) throw bad('tools', "'tools' (function calling) is not supported by this engine");
  const format = (b.response_format as Body | undefined)?.type;
  if (format !== undefined && format !== 'text') throw bad('response_format', "only 'response_format' {type: 'text'} is supported");
  const { request, stream, includeUsage } = common(b, modelId);
  const logprobs = bool(b, 'logprobs') ?? false;
  const top = number(b, 'top_logprobs', 0, 20, true);
  if (top !== undefined && !logprobs) throw bad('top_logprobs', "'top_logprobs' needs 'logprobs' set to true");
  return { kind: 'chat', request: { ...request, messages: msgs, ...logprobsOf(logprobs ? top ?? 0 : null) }, stream, includeUsage, topLogprobs: logprobs ? top ?? 0 : null };
}

export function parseCompletion(body: unknown, modelId: string): ParsedRequest {
  const b = asBody(body);
  let prompt = b.prompt;
  if (Array.isArray(prompt) && prompt.length === 1 && typeof prompt[0] === 'string') prompt = prompt[0];
  if (typeof prompt !== 'string') throw bad('prompt', "'prompt' must be a string (one prompt per request)");
  if (b.echo === true) throw bad('echo', "'echo' is not supported by this engine");
  if (b.suffix !== undefined && b.suffix !== null) throw bad('suffix', "'suffix' is not supported by this engine");
  const bestOf = number(b, 'best_of', 1, 128, true);
  if (bestOf !== undefined && bestOf !== 1) throw bad('best_of', "only 'best_of' = 1 is supported");
  const { request, stream, includeUsage } = common(b, modelId);
  const top = number(b, 'logprobs', 0, 20, true); // the legacy API: an integer, the alternatives per token
  return { kind: 'completion', request: { ...request, prompt, ...logprobsOf(top ?? null) }, stream, includeUsage, topLogprobs: top ?? null };
}

const logprobsOf = (top: number | null): Partial<GenerateRequest> => (top === null ? {} : { logprobs: true, top_logprobs: top });
