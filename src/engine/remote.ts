// The Remote engine: chat streamed from any OpenAI-compatible server (vLLM, llama.cpp's llama-server, Ollama,
// SGLang, or this project's `cli serve`) by fetch, read as server-sent events. Its chunks become the same
// EngineEvents the local engine sends, timed here on the client (time to first token, inter-token latency), with
// the token counts from the server's `usage` where it sends one. The key goes only to the server's own address.
import type { EngineEvent, GenerateRequest, GenerateResult, TokenLogprob, Usage } from '../../workers/api.ts';

export interface RemoteConfig {
  /** The API's base, ending in /v1 (as OpenAI clients take it): "http://127.0.0.1:8080/v1". */
  baseUrl: string;
  apiKey: string | null;
  model: string;
}

/** "127.0.0.1:8080" or "http://host:8000/" or ".../v1/" as the base URL an OpenAI client takes (…/v1). */
export function normalizeBaseUrl(input: string): string {
  let u = input.trim();
  if (!/^https?:\/\//i.test(u)) u = `http://${u}`;
  const url = new URL(u); // throws on nonsense: the caller shows it
  let path = url.pathname.replace(/\/+$/, '');
  if (!/\/v1$/.test(path)) path += '/v1';
  return `${url.origin}${path}`;
}

const headers = (key: string | null): Record<string, string> => ({
  'content-type': 'application/json',
  ...(key ? { authorization: `Bearer ${key}` } : {}),
});

/** A failed response as one line: the server's OpenAI error message where it sent one. */
async function failure(res: Response): Promise<Error> {
  let message = `${res.status} ${res.statusText}`.trim();
  try {
    const body = (await res.json()) as { error?: { message?: string } | string; message?: string };
    const m = typeof body.error === 'string' ? body.error : body.error?.message ?? body.message;
    if (m) message = `${res.status}: ${m}`;
  } catch { /* not JSON: the status says enough */ }
  if (res.status === 401) message += ' (check the API key)';
  return new Error(`the server answered ${message}`);
}

async function request(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new Error(`could not reach ${url}: is the server running, and does it allow this page's origin (CORS)?`, { cause: e });
  }
}

/** GET /v1/models: the ids the server serves. */
export async function listModels(baseUrl: string, apiKey: string | null): Promise<string[]> {
  const res = await request(`${baseUrl}/models`, { headers: headers(apiKey) });
  if (!res.ok) throw await failure(res);
  const body = (await res.json()) as { data?: { id: string }[] };
  if (!Array.isArray(body.data)) throw new Error(`${baseUrl}/models did not answer an OpenAI model list`);
  return body.data.map((m) => m.id);
}

interface Chunk {
  choices?: { delta?: { content?: string | null }; logprobs?: { content?: RemoteLogprob[] | null } | null; finish_reason?: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
  error?: { message?: string };
}
interface RemoteLogprob { token: string; logprob: number; top_logprobs?: { token: string; logprob: number }[] }

/** Streams one chat completion; events as the local engine's, the result when the stream ends ([DONE]). */
export async function remoteGenerate(cfg: RemoteConfig, req: GenerateRequest, onEvents: (e: EngineEvent[]) => void, signal: AbortSignal): Promise<GenerateResult> {
  const body = {
    model: cfg.model,
    messages: req.messages ?? [{ role: 'user', content: req.prompt ?? '' }],
    stream: true,
    stream_options: { include_usage: true },
    max_tokens: req.max_tokens,
    temperature: req.temperature,
    top_p: req.top_p,
    ...(req.top_k ? { top_k: req.top_k } : {}),
    seed: req.seed,
    ...(req.stop?.length ? { stop: req.stop } : {}),
    ...(req.logprobs ? { logprobs: true, top_logprobs: req.top_logprobs ?? 0 } : {}),
  };
  const t0 = performance.now();
  const res = await request(`${cfg.baseUrl}/chat/completions`, { method: 'POST', headers: headers(cfg.apiKey), body: JSON.stringify(body), signal });
  if (!res.ok || !res.body) throw await failure(res);

  let text = '', count = 0, ttft = 0, tPrev = t0, finish: GenerateResult['finish'] = 'length';
  let usage: Chunk['usage'] = null;
  const logprobs: TokenLogprob[] = [];
  const onChunk = (c: Chunk) => {
    if (c.error) throw new Error(`the server stopped: ${c.error.message ?? 'an error'}`);
    if (c.usage) usage = c.usage;
    const choice = c.choices?.[0];
    if (!choice) return;
    if (choice.finish_reason) finish = choice.finish_reason === 'length' ? 'length' : 'stop';
    const piece = choice.delta?.content ?? '';
    const lps = choice.logprobs?.content ?? [];
    if (piece === '' && lps.length === 0) return;
    const t = performance.now();
    if (count === 0) ttft = t - t0;
    const events: EngineEvent[] = [];
    // one chunk is one token on vLLM, llama-server and cli serve; with logprobs, one event per token they list
    const n = Math.max(1, lps.length);
    for (let i = 0; i < n; i++) {
      const lp = lps[i];
      const logprob: TokenLogprob | undefined = lp && { token: -1, text: lp.token, logprob: lp.logprob, top: (lp.top_logprobs ?? []).map((x) => ({ token: -1, text: x.token, logprob: x.logprob })) };
      if (logprob) logprobs.push(logprob);
      events.push({ type: 'token', id: count++, text: i === 0 ? piece : '', ...(logprob ? { logprob } : {}), ms: i === 0 ? t - tPrev : 0 });
    }
    tPrev = t;
    text += piece;
    onEvents(events);
  };

  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let cut;
    while ((cut = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const event = buffer.slice(0, cut);
      buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, '');
      const data = event.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
      if (data === '' || data === '[DONE]') continue;
      onChunk(JSON.parse(data) as Chunk);
    }
  }
  const tEnd = performance.now();
  const u = usage as Chunk['usage'];
  const completion = u?.completion_tokens ?? count;
  const decodeMs = count > 1 ? tEnd - t0 - ttft : 0;
  const result: Usage = {
    prompt_tokens: u?.prompt_tokens ?? 0,
    completion_tokens: completion,
    prefill_tokens: u?.prompt_tokens ?? 0,
    prefill_ms: ttft, // as seen from here: the network and the server's queue included
    ttft_ms: ttft,
    decode_tokens: Math.max(0, completion - 1),
    decode_ms: decodeMs,
    prefill_tok_s: u && ttft > 0 ? (u.prompt_tokens / ttft) * 1000 : 0,
    decode_tok_s: decodeMs > 0 ? (Math.max(0, completion - 1) / decodeMs) * 1000 : 0,
  };
  onEvents([{ type: 'done', finish, usage: result }]);
  return { promptTokens: [], tokens: [], text, finish, usage: result, logprobs: req.logprobs ? logprobs : null, dropped: null, engine: 'remote' };
}
