// Reading tokenizer.json's vocab and merges (workers/tokenizer/hf-vocab.ts): both merge formats, the cases where
// they differ, corrupt entries, and a vocab larger than any call's argument limit (Llama 3's 128,256 ids once
// overflowed the stack when spread into Math.max).
import { describe, expect, it } from 'vitest';
import { idLookup, pairRank, readMerges, readPieces } from '../../workers/tokenizer/hf-vocab.ts';

describe('tokenizer.json merges', () => {
  it('ranks "left right" strings in file order, a repeated pair keeping its last rank (as HF)', () => {
    const rank = pairRank(readMerges(['a b', 'ab c', 'Ġ t', 'a b']));
    expect([rank('a', 'b'), rank('ab', 'c'), rank('Ġ', 't')]).toEqual([3, 1, 2]);
    expect([rank('b', 'a'), rank('a', 'bc'), rank('abc', '')]).toEqual([undefined, undefined, undefined]);
  });

  it('keeps [left, right] pairs apart even when a piece contains a space', () => {
    const rank = pairRank(readMerges([['a b', 'c'], ['a', 'b c'], ['x', 'y']]));
    expect([rank('a b', 'c'), rank('a', 'b c'), rank('x', 'y'), rank('a', 'b')]).toEqual([0, 1, 2, undefined]);
  });

  it('reads no merges as none, and names a corrupt entry', () => {
    expect(pairRank(readMerges(undefined))('a', 'b')).toBeUndefined();
    expect(() => readMerges(['a b', 'ab'])).toThrow('tokenizer.json merge #1 is not "left right"');
    expect(() => readMerges(['a b', 7])).toThrow('merge #1 is not "left right"');
    expect(() => readMerges([['a', 'b'], ['a']])).toThrow('tokenizer.json merge #1 is not a [left, right] pair');
    expect(() => readMerges([['a', 'b'], 'a b'])).toThrow('merge #1 is not a [left, right] pair');
  });
});

describe('tokenizer.json vocab', () => {
  it('places pieces by id, lets added tokens extend the vocab, and leaves holes empty', () => {
    const pieces = readPieces({ a: 0, b: 2 }, [{ content: '<s>', id: 4, special: true }]);
    expect(pieces).toEqual(['a', '', 'b', '', '<s>']);
  });

  it('reads a vocab of 300,000 tokens (more than a call may take as arguments)', () => {
    const vocab: Record<string, number> = {};
    for (let i = 0; i < 300_000; i++) vocab[`t${i}`] = i;
    const pieces = readPieces(vocab, [{ content: '<|end|>', id: 300_000, special: true }]);
    expect([pieces.length, pieces[0], pieces[299_999], pieces[300_000]]).toEqual([300_001, 't0', 't299999', '<|end|>']);
  });

  it('names a token with an invalid id', () => {
    expect(() => readPieces({ a: 0, b: -1 }, [])).toThrow('tokenizer.json has an invalid token id for "b"');
    expect(() => readPieces({ a: 1.5 }, [])).toThrow('invalid token id for "a"');
    expect(() => readPieces({ a: 0 }, [{ content: '<x>', id: 2 ** 30, special: false }])).toThrow('invalid token id for "<x>"');
  });

  it('looks up added tokens first, then vocab entries, and nothing inherited from Object', () => {
    const id = idLookup({ hi: 5, '<s>': 1 }, [{ content: '<s>', id: 1, special: true }, { content: '<|eot|>', id: 9, special: true }]);
    expect([id('hi'), id('<s>'), id('<|eot|>'), id(null)]).toEqual([5, 1, 9, undefined]);
    expect([id('constructor'), id('toString'), id('__proto__'), id('missing')]).toEqual([undefined, undefined, undefined, undefined]);
  });
});
