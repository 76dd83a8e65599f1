// The trace: the inside of one teacher-forced forward pass over a short text, for the lesson's views. A request is
// checked into a plan; an engine runs the plan and captures only what it names (the CPU engine through a probe in
// its run, workers/reference/trace.ts; the WebGPU engine through a debug pass that copies buffers out between
// kernels, workers/gpu/trace.ts); this file turns the capture into the result (norms, logit-lens top tokens).
// Logit lens: nostalgebraist, "interpreting GPT: the logit lens" (2020): the final norm and the head applied to the
// residual stream after each layer.
import type { EngineKind, TraceRequest, TraceResult } from '../api.ts';
import type { Tokenizer } from '../tokenizer/types.ts';
import type { LlamaConfig } from './config.ts';

/** Most tokens a trace runs (attention is n x n per head, and a 1B model's CPU pass must stay short). */
export const TRACE_MAX_TOKENS = 128;
/** Most tokens the logit lens lists per layer. */
export const TRACE_MAX_TOP_K = 50;

/** A checked request: positions and layers are in range, tokens start at position 0. */
export interface TracePlan {
  tokens: number[];
  attention: number | null; // layer
  norms: boolean;
  lens: { topK: number; position: number } | null;
  ffn: { layer: number; position: number } | null;
  embedding: number | null; // position
  logits: boolean;
}

/** What an engine captured for a plan: fresh arrays, none a view of an engine's buffers. */
export interface TraceCapture {
  attention?: Float32Array[]; // per head (n, n)
  norms?: Float32Array[]; // [0]: after the embedding, [l + 1]: after layer l; n values each
  lens?: Float32Array[]; // per layer, the logits (vocab) of the lens position
  ffn?: { gate: Float32Array; up: Float32Array; act: Float32Array };
  embedding?: Float32Array;
  logits?: Float32Array; // the last position's
}

/** Checks a request against the model (one-line errors) and tokenizes its text with BOS. */
export function planTrace(r: TraceRequest, tokenizer: Tokenizer, c: LlamaConfig, maxSeq: number): TracePlan {
  if ((r.text === undefined) === (r.tokens === undefined)) throw new Error('give the trace either a text or token ids, not both or neither');
  const tokens = r.text !== undefined ? tokenizer.encode(String(r.text), { bos: true }) : r.tokens;
  if (!Array.isArray(tokens) || tokens.length === 0) throw new Error('the trace needs at least one token');
  const n = tokens.length, max = Math.min(TRACE_MAX_TOKENS, maxSeq);
  if (n > max) throw new Error(`the trace takes at most ${max} tokens, this text has ${n}: shorten it`);
  for (const t of tokens) if (!(Number.isInteger(t) && t >= 0 && t < c.vocabSize)) throw new Error(`token id ${t} is outside the vocabulary (0..${c.vocabSize - 1})`);
  const layer = (what: string, l: unknown) => {
    if (!(Number.isInteger(l) && (l as number) >= 0 && (l as number) < c.nLayers)) throw new Error(`${what} ${String(l)} is not a layer of this model (0..${c.nLayers - 1})`);
    return l as number;
  };
  const position = (what: string, p: unknown) => {
    if (!(Number.isInteger(p) && (p as number) >= 0 && (p as number) < n)) throw new Error(`${what} ${String(p)} is not a position of the ${n} tokens (0..${n - 1})`);
    return p as number;
  };
  let lens: TracePlan['lens'] = null;
  if (r.logitLens) {
    const k = r.logitLens.topK;
    if (!(Number.isInteger(k) && k >= 1 && k <= TRACE_MAX_TOP_K)) throw new Error(`logitLens.topK must be a whole number from 1 to ${TRACE_MAX_TOP_K}, got ${String(k)}`);
    lens = { topK: Math.min(k, c.vocabSize), position: r.logitLens.position === undefined ? n - 1 : position('logitLens.position', r.logitLens.position) };
  }
  return {
    tokens: tokens.slice(),
    attention: r.attention ? layer('attention.layer', r.attention.layer) : null,
    norms: r.residualNorms === true,
    lens,
    ffn: r.ffn ? { layer: layer('ffn.layer', r.ffn.layer), position: position('ffn.position', r.ffn.position) } : null,
    embedding: r.embedding ? position('embedding.position', r.embedding.position) : null,
    logits: r.logits === true,
  };
}

/** The last layer the plan needs run (-1: none, the embedding at most), or null when it needs the whole model. */
export function lastLayerNeeded(p: TracePlan): number | null {
  if (p.norms || p.lens || p.logits) return null;
  return Math.max(-1, p.attention ?? -1, p.ffn?.layer ?? -1);
}

/** ||x[r, :]|| of each of n rows (summed in double). */
export function rowNorms(x: Float32Array, n: number, dim: number): Float32Array {
  const out = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    let ss = 0;
    for (let j = r * dim; j < (r + 1) * dim; j++) ss += x[j] * x[j];
    out[r] = Math.sqrt(ss);
  }
  return out;
}

/** The k most likely tokens under softmax(logits), most likely first (ties: lower id first). */
export function topTokens(logits: Float32Array, k: number): { id: number; prob: number }[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  const top: number[] = []; // ids, best first
  for (let i = 0; i < logits.length; i++) {
    if (top.length === k && logits[i] <= logits[top[k - 1]]) continue;
    let j = Math.min(top.length, k - 1);
    if (top.length < k) top.push(i);
    while (j > 0 && logits[top[j - 1]] < logits[i]) { top[j] = top[j - 1]; j--; }
    top[j] = i;
  }
  return top.map((id) => ({ id, prob: Math.exp(logits[id] - max) / sum }));
}

/** The result the UI receives, from a plan and what the engine captured. */
export function traceResult(p: TracePlan, cap: TraceCapture, tokenizer: Tokenizer, c: LlamaConfig, engine: EngineKind): TraceResult {
  const token = (id: number) => ({ id, text: tokenizer.tokenText(id) });
  const out: TraceResult = { tokens: p.tokens.map(token), engine };
  if (p.attention !== null) out.attention = { layer: p.attention, nHeads: c.nHeads, nKvHeads: c.nKvHeads, probs: cap.attention! };
  if (p.norms) out.residualNorms = cap.norms!;
  if (p.lens) out.logitLens = cap.lens!.map((logits, layer) => ({ layer, top: topTokens(logits, p.lens!.topK).map((t) => ({ ...token(t.id), prob: t.prob })) }));
  if (p.ffn) out.ffn = { ...p.ffn, ...cap.ffn! };
  if (p.embedding !== null) out.embedding = { position: p.embedding, id: p.tokens[p.embedding], row: cap.embedding! };
  if (p.logits) out.logits = cap.logits!;
  return out;
}

/** The distinct buffers of a result's arrays, for comlink's transfer (each array owns its buffer). */
export function traceBuffers(r: TraceResult): ArrayBuffer[] {
  const arrays = [...(r.attention?.probs ?? []), ...(r.residualNorms ?? []), r.ffn?.gate, r.ffn?.up, r.ffn?.act, r.embedding?.row, r.logits];
  return [...new Set(arrays.flatMap((a) => (a ? [a.buffer as ArrayBuffer] : [])))];
}
