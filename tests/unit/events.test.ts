import { describe, expect, test } from 'vitest';
import type { EngineEvent } from '../../workers/api.ts';
import { EventBatcher } from '../../workers/events.ts';

const token = (text: string): EngineEvent => ({ type: 'token', id: 1, text, ms: 1 });

describe('EventBatcher', () => {
  test('the first token goes at once with what waited before it; later ones wait for the next batch; done flushes', () => {
    const batches: EngineEvent[][] = [];
    const b = new EventBatcher((events) => batches.push(events), Infinity); // no batch ends by time in this test
    b.push({ type: 'prefill', tokens: 4, ms: 2 });
    expect(batches).toHaveLength(0);
    b.push(token('a'));
    expect(batches.map((x) => x.map((e) => e.type))).toEqual([['prefill', 'token']]);
    b.push(token('b'));
    b.push(token('c'));
    expect(batches).toHaveLength(1);
    const usage = { prompt_tokens: 4, completion_tokens: 3, prefill_tokens: 4, prefill_ms: 2, ttft_ms: 3, decode_tokens: 2, decode_ms: 2, prefill_tok_s: 2000, decode_tok_s: 1000 };
    b.push({ type: 'done', finish: 'stop', usage });
    expect(batches.map((x) => x.length)).toEqual([2, 3]);
  });

  test('with no interval every event goes at once', () => {
    const batches: EngineEvent[][] = [];
    const b = new EventBatcher((events) => batches.push(events), 0);
    b.push(token('a'));
    b.push(token('b'));
    expect(batches.map((x) => x.length)).toEqual([1, 1]);
  });
});
