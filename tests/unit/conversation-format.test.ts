// Saved conversations leave and come back in OpenAI's messages format: a round trip keeps every message, the system
// prompt, the sampling settings and which answer was interrupted; anything else is a one-line error.
import { describe, expect, test } from 'vitest';
import { fromOpenAI, matches, titleOf, toOpenAI, type Conversation } from '../../src/store/conversationFormat.ts';
import { DEFAULT_SAMPLING } from '../../src/store/settings.ts';

const conversation: Conversation = {
  id: 'a', title: 'Moons', createdAt: Date.UTC(2026, 11, 6), updatedAt: Date.UTC(2026, 11, 6, 1),
  model: 'meta-llama/Llama-3.2-1B-Instruct', precision: 'fp8-llama3',
  sampling: { ...DEFAULT_SAMPLING, temperature: 0.3, topK: 12, topP: 0.8, maxTokens: 99, seed: 7, randomSeed: false, stop: ['\n\n'] },
  system: 'You are an astronomer.',
  messages: [
    { id: 1, role: 'user', content: 'How many moons has Mars?' },
    { id: 2, role: 'assistant', content: 'Two: Phobos and Deimos.', finish: 'stop' },
    { id: 3, role: 'user', content: 'And Jupiter? <|eot_id|>' },
    { id: 4, role: 'assistant', content: 'Jupiter has', interrupted: true },
  ],
};

describe('OpenAI messages format', () => {
  test('export is a chat request body', () => {
    const body = toOpenAI(conversation) as Record<string, unknown>;
    expect(body.model).toBe('meta-llama/Llama-3.2-1B-Instruct');
    expect(body.messages).toEqual([
      { role: 'system', content: 'You are an astronomer.' },
      { role: 'user', content: 'How many moons has Mars?' },
      { role: 'assistant', content: 'Two: Phobos and Deimos.' },
      { role: 'user', content: 'And Jupiter? <|eot_id|>' },
      { role: 'assistant', content: 'Jupiter has' },
    ]);
    expect(body).toMatchObject({ temperature: 0.3, top_p: 0.8, max_tokens: 99, seed: 7, stop: ['\n\n'] });
    // OpenAI's metadata holds string values only
    expect(Object.values(body.metadata as object).every((v) => typeof v === 'string')).toBe(true);
  });

  test('a round trip keeps messages, system prompt, sampling, title and the interrupted answer', () => {
    const back = fromOpenAI(JSON.parse(JSON.stringify(toOpenAI(conversation))), 'b', 5);
    expect(back.messages.map(({ role, content, interrupted }) => ({ role, content, interrupted }))).toEqual(
      conversation.messages.map(({ role, content, interrupted }) => ({ role, content, interrupted })));
    expect(back.system).toBe(conversation.system);
    expect(back.sampling).toEqual(conversation.sampling);
    expect(back).toMatchObject({ id: 'b', title: 'Moons', model: conversation.model, precision: 'fp8-llama3', createdAt: conversation.createdAt, updatedAt: 5 });
  });

  test('accepts what other tools write: a bare array, text parts, developer role, max_completion_tokens', () => {
    const c = fromOpenAI({ messages: [
      { role: 'developer', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Hi ' }, { type: 'text', text: 'there' }] },
    ], max_completion_tokens: 50 }, 'c', 1);
    expect(c.system).toBe('Be brief.');
    expect(c.messages[0].content).toBe('Hi there');
    expect(c.sampling.maxTokens).toBe(50);
    expect(c.sampling.randomSeed).toBe(true);
    expect(fromOpenAI([{ role: 'user', content: 'x' }], 'd', 1).messages).toHaveLength(1);
  });

  test.each([
    [null, 'no "messages" array'],
    [{ messages: 'hi' }, 'no "messages" array'],
    [{ messages: [3] }, 'message 1 is not an object'],
    [{ messages: [{ role: 'tool', content: 'x' }] }, 'message 1 has role "tool"'],
    [{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }] }, "message 1's content is neither text"],
    [{ messages: [{ role: 'user', content: 5 }] }, "message 1's content is neither text"],
  ])('bad input %j: one line', (json, why) => {
    expect(() => fromOpenAI(json, 'x', 1)).toThrow(`not a conversation in OpenAI's messages format: ${why}`);
  });

  test('out-of-range sampling values are clamped as the sliders do', () => {
    const c = fromOpenAI({ messages: [], temperature: 99, top_p: -1, max_tokens: 1e9, seed: -5 }, 'e', 1);
    expect(c.sampling).toMatchObject({ temperature: 2, topP: 0.05, maxTokens: 8192, seed: 0 });
  });

  test('titles and search', () => {
    expect(titleOf([])).toBe('New conversation');
    expect(titleOf([{ id: 1, role: 'user', content: '  a\n\nb ' }])).toBe('a b');
    expect(titleOf([{ id: 1, role: 'user', content: 'x'.repeat(80) }])).toHaveLength(48);
    expect(matches(conversation, 'PHOBOS')).toBe(true);
    expect(matches(conversation, 'astronomer')).toBe(true);
    expect(matches(conversation, 'saturn')).toBe(false);
  });
});
