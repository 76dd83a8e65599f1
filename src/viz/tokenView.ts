// The figures of the token view (OpenAI's logprobs): each token's probability, the band it is shaded by, the
// alternatives it was chosen over, and the answer's perplexity. Pure functions, so the view only draws.
import type { TokenLogprob } from '../../workers/api.ts';

export const probability = (logprob: number): number => Math.exp(logprob);

/** Shade bands, from "the model was sure" to "a long shot": the view colours a token by its band. */
export const BANDS = [
  { min: 0.9, label: '90% or more' },
  { min: 0.5, label: '50–90%' },
  { min: 0.2, label: '20–50%' },
  { min: 0, label: 'under 20%' },
] as const;

export function band(p: number): number {
  const i = BANDS.findIndex((b) => p >= b.min);
  return i < 0 ? BANDS.length - 1 : i;
}

/** Token text as it can be seen: a newline shows as ↵ (and still breaks the line), an empty piece as ∅. */
export function visible(text: string): string {
  return text === '' ? '∅' : text.replace(/\n/g, '↵\n');
}

/**
 * Perplexity of the answer under the model that wrote it, exp(-mean log p): 1 means every token was certain;
 * sampling at a high temperature raises it. Null for no tokens.
 */
export function perplexity(tokens: TokenLogprob[]): number | null {
  if (tokens.length === 0) return null;
  const mean = tokens.reduce((a, t) => a + t.logprob, 0) / tokens.length;
  return Math.exp(-mean);
}

export interface Alternative {
  text: string;
  p: number;
  logprob: number;
  chosen: boolean;
}

/**
 * The top alternatives in order of probability, the chosen token marked; a sampled token outside the top list is
 * added at the end, so the table always shows what was picked. Token ids are compared when the engine gives them
 * (a remote server gives only text, id -1).
 */
export function alternatives(t: TokenLogprob): Alternative[] {
  const same = (x: { token: number; text: string }) => (t.token >= 0 && x.token >= 0 ? x.token === t.token : x.text === t.text);
  const rows = [...t.top].sort((a, b) => b.logprob - a.logprob).map((x) => ({ text: x.text, p: probability(x.logprob), logprob: x.logprob, chosen: same(x) }));
  if (!rows.some((r) => r.chosen)) rows.push({ text: t.text, p: probability(t.logprob), logprob: t.logprob, chosen: true });
  return rows;
}
