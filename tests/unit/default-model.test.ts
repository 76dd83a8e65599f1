// The embedded default model (public/models/llama31-mini): a Llama 3.1 in miniature, loaded through the Hugging
// Face format. Its architecture, tokenizer and chat format are checked here; its quality in default-model-eval.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { CpuForward } from '../../workers/reference/forward.ts';
import { presetMap } from '../../workers/quant/precision.ts';
import { argmax } from '../../workers/model/sampler.ts';
import { renderChat } from '../../workers/model/chat.ts';
import { DEFAULT_MODEL } from '../../workers/engine.ts';
import { loadDefault } from './default-model.ts';

const model = await loadDefault();

describe('the embedded default model', () => {
  const c = model.config;

  test('has the Llama 3.1 architecture in miniature', () => {
    expect(model.name).toBe(DEFAULT_MODEL);
    expect(model.format).toBe('safetensors');
    expect(c.nLayers).toBeGreaterThanOrEqual(6);
    expect(c.nKvHeads).toBeLessThan(c.nHeads); // GQA
    expect(c.normEps).toBe(1e-5);
    expect(c.ropeTheta).toBe(500000);
    expect(c.ropeScaling?.type).toBe('llama3');
    expect(c.ropeStyle).toBe('halves');
    expect(c.contextLength).toBeGreaterThanOrEqual(512);
    expect(model.tensors.every((t) => t.dtype === 'BF16' || t.name.includes('norm'))).toBe(true);
  });

  test('speaks Llama 3.1 special tokens and ends a turn at <|eot_id|>', () => {
    const t = model.tokenizer;
    for (const s of ['<|begin_of_text|>', '<|end_of_text|>', '<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>', '<|python_tag|>']) {
      const id = t.tokenId(s);
      expect(id, s).toBeTypeOf('number');
      expect(t.specialIds.has(id!), s).toBe(true);
      expect(t.encode(s, { bos: false, specials: true })).toEqual([id]);
    }
    expect(t.eosIds).toContain(t.tokenId('<|eot_id|>'));
    expect(t.bosId).toBe(t.tokenId('<|begin_of_text|>'));
    expect(t.kind).toBe('bytelevel');
  });

  test('keeps every digit a token of its own, so carrying is learnable', () => {
    const ids = model.tokenizer.encode('12345 + 678 = 13023', { bos: false });
    const pieces = ids.map((id) => model.tokenizer.tokenText(id).replace(/^Ġ/, ''));
    for (const p of pieces) if (/\d/.test(p)) expect(p).toMatch(/^\d$/);
  });

  test('round-trips arbitrary Unicode through its byte-level vocabulary', () => {
    const t = model.tokenizer;
    for (const s of ['Hola, ¿qué tal? Ñandú.', '猫は可愛い 🐈‍⬛ 👩🏽‍💻', 'e\u0301 a\u0308 n\u0303', 'tabs\tand\nnewlines\r\n', 'print(sum([1, 2, 3]))']) {
      expect(t.decode(t.encode(s, { bos: false }))).toBe(s);
    }
    expect(t.decode(t.encode('lone \uD800 surrogate', { bos: false }))).toBe('lone \uFFFD surrogate');
  });

  test('renders the Llama 3.1 chat format exactly', () => {
    const text = renderChat(model, [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'What is 2 + 3?' },
    ]);
    expect(text).toBe('<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant.<|eot_id|>'
      + '<|start_header_id|>user<|end_header_id|>\n\nWhat is 2 + 3?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n');
  });

  // Fixtures written by training/fixtures.py from the PyTorch model and the Python tokenizer: two implementations
  // that share no code must agree.
  const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures-model/${name}`, import.meta.url), 'utf8'));

  test('tokenizes exactly as the Python tokenizer that trained it', () => {
    const { cases } = fixture('llama31-mini-tokenizer.json') as { cases: { text: string; ids: number[] }[] };
    expect(cases.length).toBeGreaterThan(5);
    for (const c of cases) expect(model.tokenizer.encode(c.text, { bos: false, specials: true }), c.text).toEqual(c.ids);
  });

  test('gives the logits PyTorch gives (last position of a chat prompt)', async () => {
    const f = fixture('llama31-mini-logits.json') as { prompt: string; ids: number[]; argmax: number; logits_last: number[] };
    const ids = model.tokenizer.encode(f.prompt, { bos: false, specials: true });
    expect(ids).toEqual(f.ids);
    const logits = (await CpuForward.create(c, model.weights, presetMap(c.nLayers, 'f32'), 64)).forwardSync(ids, 0);
    expect(argmax(logits)).toBe(f.argmax);
    let worst = 0;
    for (let i = 0; i < logits.length; i++) worst = Math.max(worst, Math.abs(logits[i] - f.logits_last[i]));
    expect(worst).toBeLessThan(2e-3);
  });
});
