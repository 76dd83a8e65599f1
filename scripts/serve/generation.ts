// POST /v1/chat/completions and /v1/completions: a checked request waits its turn in the queue, runs on the engine,
// and is answered whole or streamed as SSE chunks. A client that disconnects stops its generation (or leaves the
// queue before it starts), so the next request runs at once.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { EngineEvent, GenerateResult } from '../../workers/api.ts';
import { failureOf } from '../../workers/errors.ts';
import { ApiError, type ParsedRequest } from './openai.ts';
import { AbortedError, type GenerationQueue } from './queue.ts';
import type { ServerMetrics } from './metrics.ts';
import type { ServedEngine } from './engine.ts';
import { endEvents, sendEvent, startEvents } from './sse.ts';
import { chatChunk, chatCompletion, chatLogprobs, completionLogprobs, finishOf, textChunk, textCompletion, usageChunk, type Ids } from './responses.ts';

export interface GenerationContext { engine: ServedEngine; queue: GenerationQueue; metrics: ServerMetrics; headers: Record<string, string> }

export async function answer(ctx: GenerationContext, p: ParsedRequest, _req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { engine, queue, metrics } = ctx;
  const arrived = performance.now();
  const ids: Ids = { id: `${p.kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${randomUUID().replace(/-/g, '')}`, created: Math.floor(Date.now() / 1000), model: engine.modelId };
  const gone = new AbortController();
  res.on('close', () => { if (!res.writableFinished) gone.abort(); });

  let started = false; // SSE headers sent: from the first event on, errors go into the stream
  let firstToken = true;
  let textAt = 0; // characters streamed so far (legacy logprobs' text_offset)
  const onEvents = (events: EngineEvent[]) => {
    for (const e of events) {
      if (e.type !== 'token') continue;
      if (e.id >= 0) {
        if (firstToken) metrics.ttft.observe((performance.now() - arrived) / 1000);
        else metrics.itl.observe(e.ms / 1000);
        firstToken = false;
      }
      if (!p.stream || gone.signal.aborted) continue;
      if (!started) begin();
      if (e.text === '' && !e.logprob) continue; // text held back while it may start a stop string
      const lp = e.logprob && p.topLogprobs !== null ? [e.logprob] : null;
      if (p.kind === 'chat') sendEvent(res, chatChunk(ids, { content: e.text }, lp ? chatLogprobs(lp, engine.tokenText) : null, null, p.includeUsage));
      else sendEvent(res, textChunk(ids, e.text, lp ? completionLogprobs(lp, engine.tokenText, textAt) : null, null, p.includeUsage));
      textAt += e.text.length;
    }
  };
  const begin = () => {
    started = true;
    startEvents(res, ctx.headers);
    if (p.kind === 'chat') sendEvent(res, chatChunk(ids, { role: 'assistant', content: '' }, null, null, p.includeUsage));
  };

  let r: GenerateResult;
  try {
    r = await queue.run(async () => {
      const stop = () => engine.stop();
      gone.signal.addEventListener('abort', stop, { once: true });
      try { return await engine.generate(p.request, onEvents); } finally { gone.signal.removeEventListener('abort', stop); }
    }, gone.signal);
  } catch (e) {
    if (e instanceof AbortedError || gone.signal.aborted) return; // nobody is listening
    const err = apiErrorOf(e, p.kind === 'chat' ? 'messages' : 'prompt');
    if (!started) throw err;
    sendEvent(res, err.body());
    endEvents(res);
    return;
  }
  metrics.promptTokens.inc({}, r.usage.prompt_tokens);
  metrics.generationTokens.inc({}, r.usage.completion_tokens);
  metrics.finished.inc({ finish_reason: r.finish === 'abort' ? 'abort' : finishOf(r.finish) });
  metrics.e2e.observe((performance.now() - arrived) / 1000);
  if (gone.signal.aborted || r.finish === 'abort') return;

  const logprobs = r.logprobs && p.topLogprobs !== null
    ? (p.kind === 'chat' ? chatLogprobs(r.logprobs, engine.tokenText) : completionLogprobs(r.logprobs, engine.tokenText)) : null;
  if (!p.stream) {
    const body = p.kind === 'chat' ? chatCompletion(ids, r.text, r.finish, r.usage, logprobs) : textCompletion(ids, r.text, r.finish, r.usage, logprobs);
    res.writeHead(200, { ...ctx.headers, 'content-type': 'application/json' }).end(JSON.stringify(body));
    return;
  }
  if (!started) begin();
  const finish = finishOf(r.finish);
  if (p.kind === 'chat') sendEvent(res, chatChunk(ids, {}, null, finish, p.includeUsage));
  else sendEvent(res, textChunk(ids, '', null, finish, p.includeUsage));
  if (p.includeUsage) sendEvent(res, usageChunk(ids, p.kind === 'chat' ? 'chat.completion.chunk' : 'text_completion', r.usage));
  endEvents(res);
}

/** The engine's failures as HTTP: what the caller must fix is a 400, the rest a 500. */
function apiErrorOf(e: unknown, promptParam: string): ApiError {
  if (e instanceof ApiError) return e;
  const f = failureOf(e);
  if (f.code === 'context-overflow') return new ApiError(400, f.message, promptParam, 'context_length_exceeded');
  if (f.code === 'bad-request' || f.code === 'unsupported') return new ApiError(400, f.message, null, f.code);
  return new ApiError(500, f.message, null, f.code);
}
