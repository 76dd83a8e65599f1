// Multi-threaded CPU decode in the page (issue 12, item 3): our CPU engine at 1, 2 and 4 threads on the 2-layer
// Llama 3.2 1B-geometry checkpoint (generated once into .cache/checkpoints, seeded), and llama.cpp's own pthread
// build (@wllama/wllama) at the same thread counts on the same weights converted to GGUF, in one headless Chromium
// session, the page cross-origin isolated by the same COOP/COEP headers vite.config.ts sends for the app.
// Greedy, the same prompt and length; each figure is the best and the median of its runs after a warm-up.
//   npx tsx scripts/bench/threads.ts [--threads 1,2,4] [--runs N] [--tokens N] [--gguf bf16|f16] [--json]
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { ensureCheckpoint } from '../fixtures/llama-checkpoint.ts';
import { readVocab } from '../../tests/gguf-quant-model.ts';
import { oneLine } from '../../workers/engine.ts';
import { num, parseArgs, str } from '../cli/args.ts';
import { MOUNT, runBenchPage } from './bench-page.ts';
import { best, median } from './format.ts';
import { checkpointGguf, type GgufFloat } from './checkpoint-gguf.ts';
import type { ThreadsArgs, ThreadsConfig, ThreadsResult } from './threads-page.ts';


/** The checkpoint as GGUF beside its folder, written once (to a temporary name, renamed into place). */
function ensureGguf(dir: string, type: GgufFloat): string {
  const path = `${dir.replace(/[/\\]+$/, '')}-${type}.gguf`;
  const stamp = `${path}.stamp`, want = readFileSync(join(dir, 'checkpoint.json'), 'utf8');
  if (existsSync(path) && existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return path;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.partial`, checkpointGguf(dir, type));
  renameSync(`${path}.partial`, path);
  writeFileSync(stamp, want);
  return path;
}

function pageRuns(dir: string, gguf: string, a: Omit<ThreadsArgs, 'folderUrl' | 'ggufUrl'>): Promise<ThreadsResult> {
  const files = (name: string) => (name === 'model.gguf' ? gguf : name.startsWith('hf/') && !name.includes('..') ? join(dir, name.slice(3)) : null);
  return runBenchPage('/scripts/bench/threads-page.html', files, (origin): ThreadsArgs => ({ ...a, folderUrl: `${origin}${MOUNT}hf/`, ggufUrl: `${origin}${MOUNT}model.gguf` }));
}

async function main(): Promise<void> {
  const f = parseArgs(process.argv.slice(2), { threads: 'string', runs: 'string', tokens: 'string', prompt: 'string', gguf: 'string', json: 'bool' });
  const threads = (str(f, 'threads') ?? '1,2,4').split(',').map((t) => {
    const n = Number(t);
    if (!Number.isInteger(n) || n < 1 || n > 16) throw new Error(`--threads takes counts from 1 to 16, got "${t}"`);
    return n;
  });
  const type = (str(f, 'gguf') ?? 'bf16') as GgufFloat;
  if (type !== 'bf16' && type !== 'f16') throw new Error(`--gguf must be bf16 or f16, got "${type}"`);
  const o = { runs: num(f, 'runs', 3, { int: true, min: 1 }), tokens: num(f, 'tokens', 64, { int: true, min: 2, max: 400 }), prompt: str(f, 'prompt') ?? 'Once upon a time' };
  const dir = ensureCheckpoint({ layers: 2 });
  const gguf = ensureGguf(dir, type);
  const banned = readVocab(readFileSync(join(dir, 'tokenizer.json'), 'utf8')).wholeUtf8.flatMap((whole, id) => (whole ? [] : [id]));
  const loadBefore = loadavg();
  const page = await pageRuns(dir, gguf, { threads, prompt: o.prompt, maxTokens: o.tokens, runs: o.runs, banned });
  const loadAfter = loadavg();
  const summary = (c: ThreadsConfig, one: ThreadsConfig) => {
    const t = c.runs.map((r) => r.tokS), t1 = one.runs.map((r) => r.tokS);
    return { threads: c.threads, best: best(t), median: median(t), all: t, speedup_best: best(t) / best(t1), speedup_median: median(t) / median(t1), tokens: c.runs.map((r) => r.tokens), load_ms: c.loadMs };
  };
  const ours = page.ours.map((c) => summary(c, page.ours[0])), wllama = page.wllama.map((c) => summary(c, page.wllama[0]));
  const result = {
    model: 'llama32-1b-2l (Llama 3.2 1B geometry, 2 layers, BF16)', gguf_type: type, prompt: o.prompt, tokens: o.tokens, runs: o.runs,
    ours, wllama, ratio_ours_wllama: ours.map((c, i) => ({ threads: c.threads, best: c.best / wllama[i].best, median: c.median / wllama[i].median })),
    cross_origin_isolated: page.crossOriginIsolated, page_cores: page.cores,
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, loadavg_before: loadBefore, loadavg_after: loadAfter, node: process.version },
  };
  if (f.json) { console.log(JSON.stringify(result)); return; }
  const n = (x: number, d = 1) => x.toFixed(d).padStart(7);
  console.log(`${result.model} · greedy · ${o.tokens} tokens · prompt ${JSON.stringify(o.prompt)} · best and median of ${o.runs} · page cross-origin isolated: ${page.crossOriginIsolated}`);
  console.log(`                      threads    best  median  speedup (best, median)   decode tok/s of every run`);
  const row = (name: string, c: (typeof ours)[number]) =>
    console.log(`${name.padEnd(22)}${String(c.threads).padStart(7)} ${n(c.best)} ${n(c.median)}  ${n(c.speedup_best, 2)} ${n(c.speedup_median, 2)}          ${c.all.map((x) => x.toFixed(1)).join(' ')}`);
  for (const c of ours) row('ours, page (CPU)', c);
  for (const c of wllama) row(`wllama ${type.toUpperCase()} GGUF`, c);
  for (const r of result.ratio_ours_wllama) console.log(`ours / wllama at ${r.threads} thread${r.threads > 1 ? 's' : ''}: ${r.best.toFixed(2)} best, ${r.median.toFixed(2)} median`);
  console.log(`tokens per run: ours ${ours.map((c) => c.tokens.join('/')).join(', ')}; wllama ${wllama.map((c) => c.tokens.join('/')).join(', ')}`);
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  console.log(`machine: ${result.machine.cpu} · ${result.machine.cores} cores · load avg ${load(loadBefore)} before, ${load(loadAfter)} after · node ${result.machine.node}`);
}

main().catch((e) => { console.error(oneLine(e)); process.exit(1); });
