// SentencePiece-style BPE from GGUF metadata: hand-worked merges, byte fallback, specials, and speed on long text.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readGguf } from '../../workers/loader/gguf-reader.ts';
import { ggufTokenizer } from '../../workers/loader/gguf-tokenizer.ts';
import { tinyLlama } from './gguf-writer.ts';

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

const STORIES = fileURLToPath(new URL('../../../shared/models/stories260K/stories260K.gguf', import.meta.url));
if (!existsSync(STORIES)) console.warn('[tokenizer-sentencepiece] ../shared/models/stories260K is absent: skipping the speed case');

describe.skipIf(!existsSync(STORIES))('SentencePiece speed (stories260K vocab)', () => {
  it('tokenizes a few thousand characters without a quadratic blow-up (a guard, not a benchmark)', () => {
    const tok = ggufTok(new Uint8Array(readFileSync(STORIES)));
    const story = 'Once upon a time, there was a little girl named Lily. She loved to play outside in the park. ';
    const long = story.repeat(60); // ~5,600 characters
    const same = 'a'.repeat(5000); // one long run: the worst case for a rescanning merge loop
    for (const text of [long, same]) {
      expect(tok.decode(tok.encode(text))).toBe(text);
      // best of 5: the first call includes JIT warm-up, and a shared test machine adds noise
      let best = Infinity;
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        tok.encode(text);
        best = Math.min(best, performance.now() - t0);
      }
      expect(best).toBeLessThan(500); // a few ms normally; a rescanning O(n^2..n^3) merge loop takes seconds
    }
  });
});
