// Streaming UTF-8: text comes out only when its bytes are complete; invalid bytes become U+FFFD (WHATWG rules).
import { describe, expect, it } from 'vitest';
import { TokenTextStream, Utf8Stream } from '../../workers/tokenizer/stream.ts';
import { readGguf } from '../../workers/loader/gguf-reader.ts';
import { ggufTokenizer } from '../../workers/loader/gguf-tokenizer.ts';
import { seeded, tinyLlama } from './gguf-writer.ts';

const bytes = (...b: number[]) => Uint8Array.from(b);
const FFFD = '\uFFFD';

describe('Utf8Stream', () => {
  it('holds a multibyte character until its last byte arrives', () => {
    const s = new Utf8Stream();
    const emoji = new TextEncoder().encode('😀'); // F0 9F 98 80
    expect(s.push(emoji.subarray(0, 1))).toBe('');
    expect(s.push(emoji.subarray(1, 3))).toBe('');
    expect(s.push(emoji.subarray(3))).toBe('😀');
    expect(s.push(new TextEncoder().encode('a€'))).toBe('a€');
    expect(s.flush()).toBe('');
  });

  it('turns invalid sequences into U+FFFD, one per maximal invalid subpart', () => {
    const s = new Utf8Stream();
    expect(s.push(bytes(0xff))).toBe(FFFD); // never valid
    expect(s.push(bytes(0xe2, 0x82))).toBe(''); // a valid start of a 3-byte sequence...
    expect(s.push(bytes(0x41))).toBe(`${FFFD}A`); // ...cut off by ASCII
    expect(s.push(bytes(0xc0, 0x80))).toBe(FFFD + FFFD); // overlong encoding of NUL
    expect(s.push(bytes(0xed, 0xa0, 0x80))).toBe(FFFD.repeat(3)); // a UTF-16 surrogate written as UTF-8
    expect(s.push(bytes(0x80))).toBe(FFFD); // lone continuation byte
    expect(s.push(bytes(0xf0, 0x9f))).toBe('');
    expect(s.flush()).toBe(FFFD); // stream ended inside a character
    expect(s.push(bytes(0x68, 0x69))).toBe('hi'); // and the decoder starts afresh
  });

  it('reassembles arbitrary text split at random byte boundaries', () => {
    const rnd = seeded(3);
    const text = 'héllo wörld 😀👍🏽 日本語の文 e\u0301 ﷽ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u0000 end';
    const all = new TextEncoder().encode(text);
    for (let trial = 0; trial < 200; trial++) {
      const s = new Utf8Stream();
      let out = '';
      for (let i = 0; i < all.length;) {
        const n = 1 + Math.floor(((rnd() + 1) / 2) * 5);
        out += s.push(all.subarray(i, i + n));
        i += n;
      }
      expect(out + s.flush()).toBe(text);
    }
  });
});

describe('TokenTextStream', () => {
  it('streams byte-fallback tokens of an emoji as one character, after BOS without the dummy space', () => {
    const { tokenizer } = ggufTokenizer(readGguf(tinyLlama().bytes).metadata);
    const ids = tokenizer.encode('ab 😀 hi');
    const s = new TokenTextStream(tokenizer);
    const pieces = ids.map((id) => s.push(id));
    expect(pieces.join('') + s.flush()).toBe('ab 😀 hi');
    expect(pieces[0]).toBe(''); // BOS shows nothing
    const emojiStart = ids.indexOf(tokenizer.tokenId('<0xF0>')!);
    expect(pieces.slice(emojiStart, emojiStart + 3)).toEqual(['', '', '']); // held until the 4th byte
    expect(pieces[emojiStart + 3]).toBe('😀');
  });
});
