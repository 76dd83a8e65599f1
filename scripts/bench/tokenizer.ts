// Build and encode speed of our tokenizers on the real Llama 3.1 (128,256 tokens, 280,147 merges) and Llama 2
// (32,000 tokens) tokenizer.json files, next to @lenml/tokenizers (a transformers.js fork) on the same machine.
// Build = bytes -> ready tokenizer (JSON.parse included). Best and median of N, runs alternating ours / theirs.
//   npx tsx scripts/bench/tokenizer.ts [--runs N] [--json]
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { TokenizerLoader } from '@lenml/tokenizers';
import { hfTokenizer } from '../../workers/tokenizer/hf.ts';
import { mulberry32 } from '../../workers/model/sampler.ts';
import { num, parseArgs } from '../cli/args.ts';

const MODELS = fileURLToPath(new URL('../../node_modules/@lenml/', import.meta.url));
/** The build (JSON.parse included) is 2-3x JSON.parse alone; a quadratic step would be far beyond this factor. */
const MAX_BUILD_OVER_PARSE = 8;
const TOKENIZERS = { 'llama3.1': 'tokenizer-llama3_1', llama2: 'tokenizer-llama2' };

const ms = (f: () => unknown) => { const t0 = performance.now(); f(); return performance.now() - t0; };
const stats = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return { best: s[0], median: s[s.length >> 1] }; };

/** ~200 KB of mixed text (prose, code, numbers, CJK, emoji), seeded, so every run encodes the same thing. */
function corpus(): string {
  const parts = ['The quick brown fox jumps over the lazy dog. ', "it's 3.14159 and 1234567 ", '\tdef f(x):\n\t\treturn x\n',
    '日本語のテキスト。', '한국어 ', 'مرحبا ', '👨‍👩‍👧 👍🏽 ', '    ', '\r\n', 'https://example.com/a?b=c ', '!!!??? '];
  const rnd = mulberry32(1);
  let s = '';
  while (s.length < 200_000) s += parts[Math.floor(rnd() * parts.length)];
  return s;
}

function main(): void {
  const flags = parseArgs(process.argv.slice(2), { runs: 'string', json: 'bool' });
  const runs = num(flags, 'runs', 5, { int: true, min: 1 });
  const text = corpus();
  const results = Object.entries(TOKENIZERS).map(([name, pkg]) => {
    const tj = readFileSync(`${MODELS}${pkg}/models/tokenizer.json`), tc = readFileSync(`${MODELS}${pkg}/models/tokenizer_config.json`);
    const ours: number[] = [], theirs: number[] = [], parse: number[] = [];
    for (let r = 0; r < runs; r++) {
      ours.push(ms(() => hfTokenizer(tj, tc)));
      parse.push(ms(() => JSON.parse(new TextDecoder().decode(tj))));
      const decoder = new TextDecoder();
      theirs.push(ms(() => TokenizerLoader.fromPreTrained({ tokenizerJSON: JSON.parse(decoder.decode(tj)), tokenizerConfig: JSON.parse(decoder.decode(tc)) })));
    }
    const t = hfTokenizer(tj, tc).tokenizer;
    let n = 0;
    const encodeMs = ms(() => { n = t.encode(text).length; });
    const buildOverParse = stats(ours).best / Math.max(stats(parse).best, 1);
    return { name, buildMs: stats(ours), parseMs: stats(parse), buildOverParse, lenmlBuildMs: stats(theirs), encode: { chars: text.length, tokens: n, ms: encodeMs } };
  });
  const machine = { cpus: cpus().length, load1: loadavg()[0], node: process.version };
  if (flags.json) { console.log(JSON.stringify({ machine, results })); return; }
  console.log(`node ${machine.node}, ${machine.cpus} cpus, load ${machine.load1.toFixed(2)}, ${runs} runs`);
  for (const r of results) {
    console.log(`${r.name}: build best ${r.buildMs.best.toFixed(0)} ms (median ${r.buildMs.median.toFixed(0)}), `
      + `${r.buildOverParse.toFixed(1)}x JSON.parse alone (${r.parseMs.best.toFixed(0)} ms; ${r.buildOverParse < MAX_BUILD_OVER_PARSE ? 'within' : 'OVER'} ${MAX_BUILD_OVER_PARSE}x: no quadratic step), `
      + `@lenml/tokenizers ${r.lenmlBuildMs.best.toFixed(0)} ms (median ${r.lenmlBuildMs.median.toFixed(0)}); `
      + `encode ${r.encode.chars} chars -> ${r.encode.tokens} tokens in ${r.encode.ms.toFixed(0)} ms (first call)`);
  }
}

main();
