// A saved conversation, and its exchange format: OpenAI's chat request body ({ model, messages: [{ role, content }],
// temperature, top_p, max_tokens, seed, stop, logprobs }), the shape every OpenAI-compatible tool reads and writes; our own
// facts (title, precision map, top_k, which answer was interrupted) ride in `metadata`, which OpenAI's API also has.
import type { Message } from './session.ts';
import { DEFAULT_SAMPLING, TOP_LOGPROBS, type Sampling } from './settings.ts';

export interface Conversation {
  id: string;
  title: string;
  createdAt: number; // ms since the epoch
  updatedAt: number;
  /** The model it was made with (a Hub id, a file name, the default model's name). */
  model: string | null;
  /** The precision map it ran under, encoded (workers/shared.ts encodeMap). */
  precision: string | null;
  sampling: Sampling;
  system: string | null;
  messages: Message[];
}

export const UNTITLED = 'New conversation';

/** A title from the first thing the user said, as chat apps do. */
export function titleOf(messages: Message[]): string {
  const first = messages.find((m) => m.role === 'user')?.content.replace(/\s+/g, ' ').trim() ?? '';
  if (first === '') return UNTITLED;
  return first.length > 48 ? `${first.slice(0, 47)}…` : first;
}

export function matches(c: Conversation, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (q === '') return true;
  return c.title.toLowerCase().includes(q) || (c.system ?? '').toLowerCase().includes(q)
    || c.messages.some((m) => m.content.toLowerCase().includes(q));
}

export function toOpenAI(c: Conversation): object {
  const s = c.sampling;
  return {
    model: c.model ?? 'unknown',
    messages: [
      ...(c.system ? [{ role: 'system', content: c.system }] : []),
      ...c.messages.map((m) => ({ role: m.role, content: m.content })),
    ],
    temperature: s.temperature,
    top_p: s.topP,
    max_tokens: s.maxTokens,
    ...(s.randomSeed ? {} : { seed: s.seed }),
    ...(s.stop.length ? { stop: s.stop } : {}),
    ...(s.logprobs ? { logprobs: true, top_logprobs: TOP_LOGPROBS } : {}),
    metadata: {
      title: c.title,
      precision: c.precision ?? '',
      top_k: String(s.topK),
      created: new Date(c.createdAt).toISOString(),
      interrupted: c.messages.flatMap((m, i) => (m.interrupted ? [String(i)] : [])).join(','),
    },
  };
}

const bad = (why: string) => new Error(`not a conversation in OpenAI's messages format: ${why}`);

function text(content: unknown, i: number): string {
  if (typeof content === 'string') return content;
  // the array form: [{ type: 'text', text }]; images and audio have no place in a text model's conversation
  if (Array.isArray(content) && content.every((p) => p && typeof p === 'object' && (p as { type?: unknown }).type === 'text' && typeof (p as { text?: unknown }).text === 'string')) {
    return content.map((p) => (p as { text: string }).text).join('');
  }
  throw bad(`message ${i + 1}'s content is neither text nor text parts`);
}

const num = (v: unknown, fallback: number, min: number, max: number) =>
  typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : fallback;

/** A conversation from an OpenAI chat request body (or a bare messages array); a one-line error otherwise. */
export function fromOpenAI(json: unknown, id: string, now: number): Conversation {
  const body = Array.isArray(json) ? { messages: json } : json;
  if (!body || typeof body !== 'object' || !Array.isArray((body as { messages?: unknown }).messages)) throw bad('no "messages" array');
  const b = body as Record<string, unknown> & { messages: unknown[] };
  if (b.messages.length > 100_000) throw bad('more than 100,000 messages');
  const meta = (b.metadata && typeof b.metadata === 'object' ? b.metadata : {}) as Record<string, unknown>;
  const interrupted = new Set(typeof meta.interrupted === 'string' ? meta.interrupted.split(',').filter(Boolean).map(Number) : []);
  let system: string | null = null;
  const messages: Message[] = [];
  b.messages.forEach((m, i) => {
    if (!m || typeof m !== 'object') throw bad(`message ${i + 1} is not an object`);
    const { role, content } = m as { role?: unknown; content?: unknown };
    if (role === 'system' || role === 'developer') {
      system = system === null ? text(content, i) : `${system}\n${text(content, i)}`;
      return;
    }
    if (role !== 'user' && role !== 'assistant') throw bad(`message ${i + 1} has role ${JSON.stringify(role)} (system, user or assistant)`);
    messages.push({ id: messages.length + 1, role, content: text(content, i), ...(interrupted.has(i - (system === null ? 0 : 1)) ? { interrupted: true } : {}) });
  });
  const stop = typeof b.stop === 'string' ? [b.stop] : Array.isArray(b.stop) ? b.stop.filter((x): x is string => typeof x === 'string') : [];
  const sampling: Sampling = {
    ...DEFAULT_SAMPLING,
    temperature: num(b.temperature, DEFAULT_SAMPLING.temperature, 0, 2),
    topP: num(b.top_p, DEFAULT_SAMPLING.topP, 0.05, 1),
    topK: num(Number(meta.top_k ?? NaN), DEFAULT_SAMPLING.topK, 0, 200),
    maxTokens: Math.round(num(b.max_tokens ?? b.max_completion_tokens, DEFAULT_SAMPLING.maxTokens, 1, 8192)),
    seed: Math.round(num(b.seed, DEFAULT_SAMPLING.seed, 0, 2 ** 32 - 1)),
    randomSeed: typeof b.seed !== 'number',
    stop,
    logprobs: b.logprobs === true,
  };
  const created = typeof meta.created === 'string' ? Date.parse(meta.created) : NaN;
  return {
    id,
    title: typeof meta.title === 'string' && meta.title.trim() ? meta.title.trim().slice(0, 200) : titleOf(messages),
    createdAt: Number.isFinite(created) ? created : now,
    updatedAt: now,
    model: typeof b.model === 'string' ? b.model : null,
    precision: typeof meta.precision === 'string' && meta.precision ? meta.precision : null,
    sampling,
    system,
    messages,
  };
}
