// The token view's figures: shade bands at their edges, the alternatives table (ordered, the chosen token marked,
// a sampled token outside the top list added), perplexity against its definition, and the logprobs setting
// through the URL and the conversation format.
import { describe, expect, it } from 'vitest';
import type { TokenLogprob } from '../../workers/api.ts';
import { alternatives, band, perplexity, visible } from '../../src/viz/tokenView.ts';
import { DEFAULT_SAMPLING, samplingFromQuery, samplingToQuery } from '../../src/store/settings.ts';
import { fromOpenAI, toOpenAI } from '../../src/store/conversationFormat.ts';

const tok = (token: number, text: string, p: number, top: [number, string, number][]): TokenLogprob => ({
  token, text, logprob: Math.log(p), top: top.map(([t, s, q]) => ({ token: t, text: s, logprob: Math.log(q) })),
});

describe('token view', () => {
  it('bands split at 90%, 50% and 20%', () => {
    expect([0.95, 0.9, 0.89, 0.5, 0.49, 0.2, 0.19, 0].map(band)).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
  });

  it('lists alternatives by probability with the chosen one marked; a sampled outsider is added', () => {
    const t = tok(7, ' cat', 0.3, [[9, ' dog', 0.1], [7, ' cat', 0.3], [2, ' the', 0.5]]);
    const rows = alternatives(t);
    expect(rows.map((r) => r.text)).toEqual([' the', ' cat', ' dog']);
    expect(rows.map((r) => r.chosen)).toEqual([false, true, false]);
    expect(rows[0].p).toBeCloseTo(0.5, 12);
    const outsider = alternatives(tok(40, ' zebra', 0.01, [[2, ' the', 0.5], [9, ' dog', 0.1]]));
    expect(outsider.map((r) => [r.text, r.chosen])).toEqual([[' the', false], [' dog', false], [' zebra', true]]);
    // a remote server gives no ids (-1): text decides
    const remote = alternatives(tok(-1, 'a', 0.6, [[-1, 'a', 0.6], [-1, 'b', 0.2]]));
    expect(remote.map((r) => r.chosen)).toEqual([true, false]);
  });

  it('perplexity is exp of the mean negative log-probability', () => {
    expect(perplexity([])).toBeNull();
    expect(perplexity([tok(1, 'a', 1, [])])).toBe(1);
    const ps = [0.5, 0.25, 0.125];
    const expected = 1 / Math.cbrt(0.5 * 0.25 * 0.125); // geometric mean's inverse
    expect(perplexity(ps.map((p, i) => tok(i, 'x', p, [])))).toBeCloseTo(expected, 12);
  });

  it('shows newlines and empty pieces', () => {
    expect(visible('a\nb')).toBe('a↵\nb');
    expect(visible('')).toBe('∅');
  });

  it('logprobs travels in the link and in the exported conversation', () => {
    expect(samplingFromQuery('').logprobs).toBe(false);
    const on = samplingFromQuery('?logprobs=true');
    expect(on.logprobs).toBe(true);
    expect(samplingToQuery(on, '')).toContain('logprobs=true');
    expect(samplingToQuery({ ...on, logprobs: false }, '?logprobs=true')).not.toContain('logprobs');
    const c = { id: 'a', title: 't', createdAt: 0, updatedAt: 0, model: 'm', precision: null, system: null, messages: [], sampling: { ...DEFAULT_SAMPLING, logprobs: true } };
    const body = toOpenAI(c) as Record<string, unknown>;
    expect(body.logprobs).toBe(true);
    expect(body.top_logprobs).toBe(5);
    expect(fromOpenAI(body, 'b', 1).sampling.logprobs).toBe(true);
    expect(fromOpenAI({ messages: [] }, 'c', 1).sampling.logprobs).toBe(false);
  });
});
