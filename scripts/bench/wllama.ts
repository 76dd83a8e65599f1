// Our CPU engine in the page against llama.cpp in the page (@wllama/wllama: llama.cpp compiled to wasm), and against
// itself in Node, on stories260K (../shared/models/stories260K/stories260K.gguf, read at run time, never copied):
// same prompt, greedy, the same number of tokens, one thread each, one headless Chromium session (no WebGPU flags,
// so the page runs the app's CPU engine in its Web Worker, behind comlink, as a browser without WebGPU does).
// The project's targets: page >= 4x wllama, page >= 0.8x Node. Runs alternate (Node, then the page's ours / wllama
// pairs), and each figure is the best and the median of its runs.
//   npx tsx scripts/bench/wllama.ts [--runs N] [--tokens N] [--prompt TEXT] [--json]
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine, oneLine } from '../../workers/engine.ts';
import { num, parseArgs, str } from '../cli/args.ts';
import { chromiumVersion, MOUNT, runBenchPage } from './bench-page.ts';
import { best, median } from './format.ts';
import type { PageArgs, PageResult } from './wllama-page.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MODEL = join(ROOT, '..', 'shared', 'models', 'stories260K', 'stories260K.gguf');
const TARGET_WLLAMA = 4, TARGET_NODE = 0.8;


async function nodeRuns(o: { prompt: string; tokens: number; runs: number }): Promise<{ tokS: number[]; text: string }> {
  const bytes = readFileSync(MODEL);
  const engine = new Engine({ engine: 'cpu', baseUrl: 'http://localhost/' });
  await engine.load({ kind: 'file', name: 'stories260K.gguf', bytes: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer });
  const run = () => engine.generate({ prompt: o.prompt, max_tokens: o.tokens, temperature: 0, seed: 0 }, () => {});
  const warm = await run();
  const tokS: number[] = [];
  for (let i = 0; i < o.runs; i++) tokS.push((await run()).usage.decode_tok_s);
  return { tokS, text: warm.text };
}

function pageRuns(a: Omit<PageArgs, 'url'>): Promise<PageResult> {
  return runBenchPage('/scripts/bench/wllama-page.html', (name) => (name === 'stories260K.gguf' ? MODEL : null), (origin): PageArgs => ({ ...a, url: `${origin}${MOUNT}stories260K.gguf` }));
}

async function main(): Promise<void> {
  const f = parseArgs(process.argv.slice(2), { runs: 'string', tokens: 'string', prompt: 'string', json: 'bool' });
  const o = { runs: num(f, 'runs', 5, { int: true, min: 1 }), tokens: num(f, 'tokens', 200, { int: true, min: 2, max: 500 }), prompt: str(f, 'prompt') ?? 'Once upon a time' };
  if (!existsSync(MODEL)) throw new Error(`../shared is absent (no ${MODEL}): this benchmark needs stories260K`);
  const loadBefore = loadavg();
  const node = await nodeRuns(o);
  const page = await pageRuns({ prompt: o.prompt, maxTokens: o.tokens, runs: o.runs });
  const loadAfter = loadavg();
  if (page.engine !== 'cpu') throw new Error(`the page ran the ${page.engine} engine, not the CPU engine`);
  const ours = page.ours.map((r) => r.tokS), ll = page.wllama.map((r) => r.tokS);
  const result = {
    model: 'stories260K', prompt: o.prompt, tokens: o.tokens, runs: o.runs,
    page_ours_tok_s: { best: best(ours), median: median(ours), all: ours },
    node_ours_tok_s: { best: best(node.tokS), median: median(node.tokS), all: node.tokS },
    page_wllama_tok_s: { best: best(ll), median: median(ll), all: ll },
    ratio_page_wllama: { best: best(ours) / best(ll), median: median(ours) / median(ll), target: TARGET_WLLAMA },
    ratio_page_node: { best: best(ours) / best(node.tokS), median: median(ours) / median(node.tokS), target: TARGET_NODE },
    tokens_generated: { ours: page.ours[0].tokens, wllama: page.wllama[0].tokens },
    same_text_page_node: page.ours[0].text === node.text,
    same_text_wllama_first_100: page.ours[0].text.trim().slice(0, 100) === page.wllama[0].text.trim().slice(0, 100),
    cross_origin_isolated: page.crossOriginIsolated,
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, loadavg_before: loadBefore, loadavg_after: loadAfter, node: process.version },
  };
  if (f.json) { console.log(JSON.stringify(result)); return; }
  const n = (x: number) => x.toFixed(0).padStart(8);
  const all = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(' ');
  const r = result;
  console.log(`stories260K · greedy · ${o.tokens} tokens · prompt ${JSON.stringify(o.prompt)} · one thread each · best of ${o.runs}`);
  console.log(`                             best   median  (decode tok/s; every run)`);
  console.log(`ours, page (CPU worker)  ${n(r.page_ours_tok_s.best)} ${n(r.page_ours_tok_s.median)}  (${all(ours)})`);
  console.log(`ours, Node               ${n(r.node_ours_tok_s.best)} ${n(r.node_ours_tok_s.median)}  (${all(node.tokS)})`);
  console.log(`wllama, page (1 thread)  ${n(r.page_wllama_tok_s.best)} ${n(r.page_wllama_tok_s.median)}  (${all(ll)})`);
  const verdict = (x: number, t: number) => `${x.toFixed(2)}  target >= ${t}: ${x >= t ? 'met' : 'NOT met'}`;
  console.log(`page / wllama             ${verdict(r.ratio_page_wllama.best, TARGET_WLLAMA)} (median ${r.ratio_page_wllama.median.toFixed(2)})`);
  console.log(`page / Node               ${verdict(r.ratio_page_node.best, TARGET_NODE)} (median ${r.ratio_page_node.median.toFixed(2)})`);
  console.log(`tokens: ours ${r.tokens_generated.ours}, wllama ${r.tokens_generated.wllama}; text page = Node: ${r.same_text_page_node ? 'same' : 'DIFFERENT'}; ours = wllama (first 100 chars): ${r.same_text_wllama_first_100 ? 'same' : 'different'}`);
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  console.log(`machine: ${r.machine.cpu} · ${r.machine.cores} cores · load avg ${load(loadBefore)} before, ${load(loadAfter)} after · node ${r.machine.node} · ${(await chromiumVersion())}`);
}

main().catch((e) => { console.error(oneLine(e)); process.exit(1); });
