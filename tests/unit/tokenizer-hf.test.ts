// tokenizer.json: SentencePiece-style BPE (the real TinyLlama / Llama 2 file from ../shared) and a byte-level BPE
// built in the test (Llama 3 layout), plus the same byte-level vocab embedded in GGUF metadata.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { haveShared, sharedPath } from './shared.ts';
import { hfTokenizer } from '../../workers/tokenizer/hf.ts';
import { jsRegexSource } from '../../workers/tokenizer/hf-regex.ts';
import { LLAMA3_PATTERN } from '../../workers/tokenizer/bytelevel.ts';
import { readGguf } from '../../workers/loader/gguf-reader.ts';
import { ggufTokenizer } from '../../workers/loader/gguf-tokenizer.ts';
import { byteLevelTokenizerJson, json, LLAMA3_REGEX } from './fixtures-loader/hf-writer.ts';
import { seeded, writeGguf } from './gguf-writer.ts';

const TINYLLAMA = sharedPath('tokenizers/tinyllama/');
const haveTinyllama = haveShared('the TinyLlama tokenizer cases', 'tokenizers/tinyllama/tokenizer.json', 'tokenizers/tinyllama/tokenizer_config.json');

/** What a UTF-8 round trip can give back: unpaired surrogates have no UTF-8 form and become U+FFFD. */
const wellFormed = (s: string) => new TextDecoder().decode(new TextEncoder().encode(s));

const SAMPLES = [
  'Hello world', 'emoji 😀👍🏽 and a family 👨‍👩‍👧', '日本語のテキスト、中文字符', 'combining e\u0301 a\u0308 \u0915\u094d\u0937',
  "I'm can't WE'LL 12345 3.14159", '  leading and trailing  ', 'tabs\tand\nnewlines\r\n\n', 'lone \uD800 and \uDC00 surrogates',
  '\u0000\u0001 control', '<|eot_id|> as text', '',
];

describe.skipIf(!haveTinyllama)('TinyLlama tokenizer.json (SentencePiece-style BPE, byte fallback)', () => {
  const load = () => hfTokenizer(readFileSync(`${TINYLLAMA}tokenizer.json`), readFileSync(`${TINYLLAMA}tokenizer_config.json`));

  it('matches the Llama 2 tokenizer on known cases', () => {
    const { tokenizer: t, bosToken, eosToken } = load();
    expect(t.kind).toBe('sentencepiece');
    expect([t.bosId, t.eosIds, bosToken, eosToken, t.vocabSize]).toEqual([1, [2], '<s>', '</s>', 32000]);
    expect(t.encode('Hello world')).toEqual([1, 15043, 3186]);
    expect(t.encode('Hello, world!')).toEqual([1, 15043, 29892, 3186, 29991]);
    expect(t.encode('\n')).toEqual([1, 29871, 13]); // "▁" then the byte <0x0A>
    // no piece for 😀: its four UTF-8 bytes become <0xF0> <0x9F> <0x98> <0x80> (ids byte + 3)
    expect(t.encode('😀')).toEqual([1, 29871, 243, 162, 155, 131]);
    expect(t.encode('😀').map((id) => t.tokenText(id))).toEqual(['<s>', '▁', '<0xF0>', '<0x9F>', '<0x98>', '<0x80>']);
    expect(t.encode('<s>hi</s>', { specials: true })).toEqual([1, 1, 7251, 2]);
  });

  it('decodes what it encodes', () => {
    const { tokenizer: t } = load();
    for (const s of SAMPLES) expect(t.decode(t.encode(s))).toBe(wellFormed(s));
  });
});

describe('byte-level BPE tokenizer.json (Llama 3 layout)', () => {
  const make = (o: Parameters<typeof byteLevelTokenizerJson>[0] = {}, config?: object, generation?: object) =>
    hfTokenizer(json(byteLevelTokenizerJson(o)), config && json(config), generation && json(generation));

  it('splits with the Llama 3 pattern, (?i:...) rewritten for JS', () => {
    const re = new RegExp(jsRegexSource(LLAMA3_REGEX), 'gu');
    expect("I'm HELLO'S 12345".match(re)).toEqual(['I', "'m", ' HELLO', "'S", ' ', '123', '45']);
    const ours = new RegExp(LLAMA3_PATTERN, 'gu');
    for (const s of SAMPLES) expect(s.match(re)).toEqual(s.match(ours));
  });

  it('round-trips arbitrary Unicode (unpaired surrogates become U+FFFD)', () => {
    const { tokenizer: t } = make();
    expect(t.kind).toBe('bytelevel');
    for (const s of SAMPLES) expect(t.decode(t.encode(s))).toBe(wellFormed(s));
    const rnd = seeded(5);
    const ranges = [[0x20, 0x7e], [0xa0, 0x24f], [0x300, 0x36f], [0x4e00, 0x9fff], [0xd800, 0xdfff], [0x1f300, 0x1faff], [0, 0x1f]];
    for (let i = 0; i < 300; i++) {
      let s = '';
      for (let k = 0; k < 12; k++) {
        const [lo, hi] = ranges[Math.floor(((rnd() + 1) / 2) * ranges.length)];
        const cp = lo + Math.floor(((rnd() + 1) / 2) * (hi - lo + 1));
        s += cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp);
      }
      expect(t.decode(t.encode(s))).toBe(wellFormed(s));
    }
  });

  it('merges by rank, reads string or array merges alike, and caches words', () => {
    const a = make().tokenizer, b = make({ mergesAsArrays: true }).tokenizer;
    const text = 'the cat sat on the mat, the end';
    const ids = a.encode(text, { bos: false });
    expect(ids.length).toBeLessThan(new TextEncoder().encode(text).length); // merges happened
    expect(ids.map((id) => a.tokenText(id))).toContain('Ġthe');
    expect(b.encode(text, { bos: false })).toEqual(ids);
    expect(a.encode(text, { bos: false })).toEqual(ids); // second call comes from the word cache
  });

  it('adds BOS from TemplateProcessing, reads specials only when asked, and drops them in decode', () => {
    const { tokenizer: t, bosToken } = make();
    const bos = t.tokenId('<|begin_of_text|>')!, eot = t.tokenId('<|eot_id|>')!;
    expect(bos).toBeGreaterThanOrEqual(256);
    expect([t.bosId, bosToken]).toEqual([bos, '<|begin_of_text|>']);
    expect(t.encode('hi')[0]).toBe(bos);
    const withSpecials = t.encode('hi<|eot_id|>', { specials: true, bos: false });
    expect(withSpecials.at(-1)).toBe(eot);
    expect(t.encode('hi<|eot_id|>', { bos: false })).not.toContain(eot);
    expect(t.decode(withSpecials)).toBe('hi');
    expect(new TextDecoder().decode(t.tokenBytes(eot))).toBe('<|eot_id|>');
    expect(t.specialIds.has(eot) && t.specialIds.has(bos)).toBe(true);
  });

  it('takes bos/eos/add_bos/chat_template from tokenizer_config.json and merges generation_config eos ids', () => {
    const { tokenizer: t, eosToken, chatTemplate } = make({}, {
      bos_token: '<|begin_of_text|>', eos_token: { content: '<|eot_id|>' }, add_bos_token: false, chat_template: '{{ messages }}',
    }, { eos_token_id: [999, 1000] });
    const eot = t.tokenId('<|eot_id|>')!;
    expect(t.eosIds).toEqual([eot, 999, 1000]);
    expect(eosToken).toBe('<|eot_id|>');
    expect(chatTemplate).toBe('{{ messages }}');
    expect(t.encode('hi')).not.toContain(t.bosId);
    expect(make({}, {}, { eos_token_id: 7 }).tokenizer.eosIds).toEqual([7]);
  });

  it('with ignore_merges, takes a word that is itself a token whole', () => {
    const tj = byteLevelTokenizerJson();
    (tj.model.vocab as Record<string, number>)['Ġzebra'] = 5000; // no merges build it
    const ignore = hfTokenizer(json(tj)).tokenizer;
    const merged = hfTokenizer(json({ ...tj, model: { ...tj.model, ignore_merges: false } })).tokenizer;
    expect(ignore.encode(' zebra', { bos: false })).toEqual([5000]);
    expect(merged.encode(' zebra', { bos: false })).not.toContain(5000);
    expect(merged.decode(merged.encode(' zebra'))).toBe(' zebra');
  });

  it('rejects tokenizer.json it cannot run', () => {
    expect(() => hfTokenizer(json({ model: { type: 'Unigram', vocab: [] } }))).toThrow('unsupported tokenizer.json model type "Unigram": supported BPE');
    expect(() => hfTokenizer(new TextEncoder().encode('{'))).toThrow('tokenizer.json is not valid JSON');
  });
});

describe('byte-level BPE from GGUF metadata (tokenizer.ggml.model = gpt2)', () => {
  it('encodes like the tokenizer.json it was converted from', () => {
    const tj = byteLevelTokenizerJson();
    const hf = hfTokenizer(json(tj)).tokenizer;
    const pieces: string[] = [];
    for (const [p, id] of Object.entries(tj.model.vocab)) pieces[id] = p;
    for (const a of tj.added_tokens) pieces[a.id] = a.content;
    const types = pieces.map((_, id) => (tj.added_tokens.some((a) => a.id === id) ? 3 : 1));
    const { bytes } = writeGguf({
      tensors: [],
      kv: [
        ['tokenizer.ggml.model', { t: 'string', v: 'gpt2' }],
        ['tokenizer.ggml.pre', { t: 'string', v: 'llama-bpe' }],
        ['tokenizer.ggml.tokens', { t: 'array', of: 'string', v: pieces }],
        ['tokenizer.ggml.token_type', { t: 'array', of: 'i32', v: types }],
        ['tokenizer.ggml.merges', { t: 'array', of: 'string', v: tj.model.merges as string[] }],
        ['tokenizer.ggml.bos_token_id', { t: 'u32', v: hf.bosId! }],
        ['tokenizer.ggml.eos_token_id', { t: 'u32', v: hf.tokenId('<|end_of_text|>')! }],
        ['tokenizer.ggml.eot_token_id', { t: 'u32', v: hf.tokenId('<|eot_id|>')! }],
      ],
    });
    const g = ggufTokenizer(readGguf(bytes).metadata).tokenizer;
    expect(g.kind).toBe('bytelevel');
    expect(g.eosIds).toEqual([hf.tokenId('<|end_of_text|>'), hf.tokenId('<|eot_id|>')]);
    for (const s of SAMPLES) {
      expect(g.encode(s)).toEqual(hf.encode(s));
      expect(g.encode(s, { specials: true })).toEqual(hf.encode(s, { specials: true }));
    }
  });
});
