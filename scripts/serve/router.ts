// The HTTP routes of an OpenAI-compatible server, as vLLM lays them out: /v1/models, /v1/chat/completions,
// /v1/completions (behind the API key when one is set), /health and /metrics (open, for probes and Prometheus).
// CORS is open like vLLM's default, so a page on another origin (the playground's Remote engine) can call it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { oneLine } from '../../workers/errors.ts';
import { ApiError, parseChat, parseCompletion } from './openai.ts';
import { answer, type GenerationContext } from './generation.ts';

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'authorization, content-type',
};
const MAX_BODY = 4 << 20;

export interface RouterOptions { apiKey: string | null; created: number }

export function router(ctx: Omit<GenerationContext, 'headers'>, opts: RouterOptions) {
  const g: GenerationContext = { ...ctx, headers: CORS };
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '') || '/';
    const route = ROUTES.has(path) || path.startsWith('/v1/models/') ? (path.startsWith('/v1/models/') ? '/v1/models/{id}' : path) : 'other';
    res.on('finish', () => ctx.metrics.requests.inc({ endpoint: route, status: String(res.statusCode) }));
    try {
      if (req.method === 'OPTIONS') { res.writeHead(204, CORS).end(); return; }
      if (path === '/health') return json(res, 200, { status: 'ok' });
      if (path === '/metrics') {
        res.writeHead(200, { ...CORS, 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(ctx.metrics.render());
        return;
      }
      if (path.startsWith('/v1/') && opts.apiKey !== null && !authorized(req, opts.apiKey)) {
        throw new ApiError(401, 'Incorrect API key provided: send it as the header Authorization: Bearer KEY', null, 'invalid_api_key', 'invalid_request_error');
      }
      const model = { id: ctx.engine.modelId, object: 'model', created: opts.created, owned_by: 'llama-fp8-playground', max_model_len: ctx.engine.context };
      if (path === '/v1/models') { allow(req, 'GET'); return json(res, 200, { object: 'list', data: [model] }); }
      if (path.startsWith('/v1/models/')) {
        allow(req, 'GET');
        if (decodeURIComponent(path.slice('/v1/models/'.length)) !== model.id) throw new ApiError(404, `The model '${path.slice(11)}' does not exist`, 'model', 'model_not_found');
        return json(res, 200, model);
      }
      if (path === '/v1/chat/completions') { allow(req, 'POST'); return await answer(g, parseChat(await body(req), model.id), req, res); }
      if (path === '/v1/completions') { allow(req, 'POST'); return await answer(g, parseCompletion(await body(req), model.id), req, res); }
      throw new ApiError(404, `no route ${req.method} ${path}: this server has /v1/models, /v1/chat/completions, /v1/completions, /health and /metrics`, null, 'not_found');
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(500, oneLine(e), null, 'internal');
      if (!res.headersSent) json(res, err.status, err.body());
      else if (!res.writableEnded) res.end();
    }
  };
}

const ROUTES = new Set(['/health', '/metrics', '/v1/models', '/v1/chat/completions', '/v1/completions']);

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { ...CORS, 'content-type': 'application/json' }).end(JSON.stringify(value));
}

function allow(req: IncomingMessage, method: string): void {
  if (req.method !== method) throw new ApiError(405, `${req.url} takes ${method}, not ${req.method}`, null, 'method_not_allowed');
}

/** `Authorization: Bearer KEY`, compared in constant time. */
function authorized(req: IncomingMessage, key: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1].trim()), b = Buffer.from(key);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function body(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new ApiError(413, `the request body is over ${MAX_BODY >> 20} MB`);
    chunks.push(c as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ApiError(400, 'the request body is not valid JSON', null, 'invalid_json');
  }
}
