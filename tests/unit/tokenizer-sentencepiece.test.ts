// SentencePiece-style BPE from GGUF metadata: hand-worked merges, byte fallback, specials, long text, and
// the merge loop's work counted (not timed).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readGguf } from '../../workers/loader/gguf-reader.ts';
import { ggufTokenizer } from '../../workers/loader/gguf-tokenizer.ts';
import { bpeMerge } from '../../workers/tokenizer/bpe.ts';
import { tinyLlama } from './gguf-writer.ts';
import { haveShared, sharedPath } from './shared.ts';

/** The tokenizer in a GGUF file's metadata, without loading the model. */
const ggufTok = (bytes: Uint8Array) => ggufTokenizer(readGguf(bytes).metadata).tokenizer;

// tiny vocab (gguf-writer.ts): 0 <unk>, 1 <s>, 2 </s>, 3..258 <0x00>..<0xFF>, then pieces with falling scores:
// 259 ▁, 260 a, 261 b, 262 c, 263 ab, 264 ▁a, 265 ▁ab, 266 abc, 267 h, 268 i, 269 hi, 270 ▁hi
const byte = (b: number) => 3 + b;

describe('SentencePiece tokenizer (tiny vocab)', () => {
  const tok = ggufTok(tinyLlama().bytes);

  it('merges the highest-scoring pair first, leftmost on ties', () => {
    // ▁ a b ▁ a b c -> ab(-4) twice -> ▁ab(-6) twice; abc(-7) loses to ▁ab
    expect(tok.encode('ab abc')).toEqual([1, 265, 265, 262]);
    expect(tok.encode('hi')).toEqual([1, 270]);
    expect(tok.encode('hi', { bos: false })).toEqual([270]);
    expect(tok.encode('')).toEqual([1]);
    expect(tok.kind).toBe('sentencepiece');
  });

  it('falls back to UTF-8 byte tokens for characters not in the vocab, and decodes them back', () => {
    expect(tok.encode('é')).toEqual([1, 259, byte(0xc3), byte(0xa9)]);
    const ids = tok.encode('a 😀');
    expect(ids).toEqual([1, 264, 259, byte(0xf0), byte(0x9f), byte(0x98), byte(0x80)]);
    expect(tok.decode(ids)).toBe('a 😀');
    expect(tok.tokenText(byte(0x0a))).toBe('<0x0A>');
    // an unpaired surrogate cannot be encoded as UTF-8: TextEncoder writes U+FFFD (EF BF BD) instead
    expect(tok.decode(tok.encode('x\uD800'))).toBe('x\uFFFD');
  });

  it('drops the dummy-prefix space after BOS only', () => {
    expect(new TextDecoder().decode(tok.tokenBytes(265, 1))).toBe('ab');
    expect(new TextDecoder().decode(tok.tokenBytes(265, 263))).toBe(' ab');
    expect(tok.decode([1, 265, 265, 262])).toBe('ab abc');
    expect(tok.decode([265, 2])).toBe('ab'); // no BOS: still the start of the text
  });

  it('reads control tokens written in the text only when asked', () => {
    expect(tok.encode('</s>ab', { specials: true, bos: false })).toEqual([2, 265]);
    const plain = tok.encode('</s>', { bos: false });
    expect(plain).not.toContain(2);
    expect(tok.decode(plain)).toBe('</s>');
    expect(tok.specialIds.has(0) && tok.specialIds.has(1) && tok.specialIds.has(2)).toBe(true);
    expect(tok.tokenId('▁hi')).toBe(270);
  });
});

const STORIES = sharedPath('models/stories260K/stories260K.gguf');

describe.skipIf(!haveShared('the stories260K long-text cases', 'models/stories260K/stories260K.gguf'))('SentencePiece on long text (stories260K vocab)', () => {
  it('round-trips a few thousand characters', () => {
    const tok = ggufTok(new Uint8Array(readFileSync(STORIES)));
    const story = 'Once upon a time, there was a little girl named Lily. She loved to play outside in the park. ';
    for (const text of [story.repeat(60), 'a'.repeat(5000)]) expect(tok.decode(tok.encode(text))).toBe(text);
  });
});

describe('BPE merge work (no clock: the pairs asked for are counted)', () => {
  // Each merge queues at most two new pairs, so n symbols cost at most n - 1 + 2 (n - 1) rank look-ups; a loop that
  // rescans the word after every merge asks O(n^2) (12.5 million for n = 5000), so this fails for it whatever the machine.
  it('asks the rank of at most 3n pairs for n symbols, on the worst case of one long run', () => {
    for (const n of [2, 17, 5000]) {
      let asked = 0;
      const rank = (l: string, r: string) => { asked++; return l.length + r.length <= 64 ? l.length + r.length : undefined; };
      const pieces = bpeMerge(Array.from('a'.repeat(n)), rank);
      expect(pieces.join('')).toBe('a'.repeat(n));
      expect(pieces.every((p) => p.length <= 64)).toBe(true);
      expect(asked).toBeLessThanOrEqual(3 * n);
    }
  });
});
