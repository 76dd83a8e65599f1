// Decode speed of our CPU engine against llama2.c's single-threaded C, in one process on one machine: same model
// (stories260K), same prompt, greedy, and a check that both write the same text. llama2.c is not part of this
// repository: pass its run.c (github.com/karpathy/llama2.c, MIT) with --run-c PATH or LLAMA2C_RUN_C.
// The project's target: ours >= 1/3 of llama2.c. Runs alternate C / ours so load on a shared machine hits both.
//   npx tsx scripts/bench/llama2c.ts --run-c PATH/run.c [--runs N] [--steps N] [--prompt TEXT] [--json]
// Numbers: llama2.c's own "achieved tok/s" (every forward after the first, prompt tokens included, millisecond
// clock); ours is usage.decode_tok_s (tokens after the first sampled one). Best of N for each.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine, oneLine } from '../../workers/engine.ts';
import { num, parseArgs, str } from '../cli/args.ts';
import { convertGguf } from './gguf-to-llama2c.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MODEL = join(ROOT, '..', 'shared', 'models', 'stories260K', 'stories260K.gguf');
const COMPARE_CHARS = 200; // how much of the text must agree (after whitespace is normalised)

interface Run { tokS: number; text: string }
interface Options { runs: number; steps: number; prompt: string }

/** llama2.c: greedy (-t 0), `steps` positions including the prompt; prints the prompt and the continuation. */
function runLlama2c(bin: string, model: string, tokenizer: string, o: Options): Run {
  const r = spawnSync(bin, [model, '-z', tokenizer, '-t', '0', '-n', String(o.steps), '-i', o.prompt], { encoding: 'utf8' });
  const m = /achieved tok\/s: ([\d.]+)/.exec(r.stderr ?? '');
  if (r.status !== 0 || !m) throw new Error(`llama2.c failed (exit ${r.status}): ${oneLine(r.stderr || r.error)}`);
  return { tokS: Number(m[1]), text: r.stdout };
}

/** Ours: greedy, max_tokens steps-1 (llama2.c's first position is BOS); the text gets the prompt as llama2.c prints it. */
async function runOurs(engine: Engine, o: Options): Promise<Run> {
  const r = await engine.generate({ prompt: o.prompt, max_tokens: o.steps - 1, temperature: 0, seed: 0 });
  return { tokS: r.usage.decode_tok_s, text: o.prompt + r.text };
}

const best = (xs: number[]) => Math.max(...xs);
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2; };
const normalise = (t: string) => t.replace(/\s+/g, ' ').trim();

async function main(): Promise<void> {
  const f = parseArgs(process.argv.slice(2), { 'run-c': 'string', runs: 'string', steps: 'string', prompt: 'string', json: 'bool' });
  const RUN_C = str(f, 'run-c') ?? process.env.LLAMA2C_RUN_C;
  if (!RUN_C || !existsSync(RUN_C)) throw new Error('pass llama2.c\'s run.c with --run-c PATH (or set LLAMA2C_RUN_C): it is not shipped with this repository');
  const o: Options = {
    runs: num(f, 'runs', 10, { int: true, min: 1 }),
    steps: num(f, 'steps', 256, { int: true, min: 2, max: 2048 }),
    prompt: str(f, 'prompt') ?? 'Once upon a time',
  };
  if (!existsSync(MODEL)) throw new Error(`../shared is absent (no ${MODEL}): this benchmark needs stories260K`);
  if (spawnSync('cc', ['--version']).status !== 0) throw new Error('no C compiler: `cc` is needed to build llama2.c');

  const dir = mkdtempSync(join(tmpdir(), 'llama2c-bench-'));
  try {
    const bin = join(dir, 'run');
    const cc = spawnSync('cc', ['-O3', '-o', bin, RUN_C, '-lm'], { encoding: 'utf8' }); // no -fopenmp: one thread
    if (cc.status !== 0) throw new Error(`cc failed on run.c: ${oneLine(cc.stderr)}`);
    const bytes = readFileSync(MODEL);
    const { model, tokenizer } = await convertGguf(bytes, dir);
    const engine = new Engine({ engine: 'cpu', baseUrl: 'http://localhost/' });
    await engine.load({ kind: 'file', name: 'stories260K.gguf', bytes: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer });

    const loadBefore = loadavg();
    const warmC = runLlama2c(bin, model, tokenizer, o), warmOurs = await runOurs(engine, o); // warm-up, not counted
    const c: number[] = [], ours: number[] = [];
    for (let i = 0; i < o.runs; i++) {
      c.push(runLlama2c(bin, model, tokenizer, o).tokS);
      ours.push((await runOurs(engine, o)).tokS);
    }
    const loadAfter = loadavg();

    // llama2.c's steps count the prompt, so its text can be the shorter: compare the common length, at most 200
    const a = normalise(warmC.text), b = normalise(warmOurs.text);
    const chars = Math.min(a.length, b.length, COMPARE_CHARS);
    const match = a.slice(0, chars) === b.slice(0, chars);
    const cpu = cpus();
    const result = {
      model: 'stories260K', prompt: o.prompt, steps: o.steps, runs: o.runs,
      llama2c_tok_s: { best: best(c), median: median(c), all: c },
      ours_tok_s: { best: best(ours), median: median(ours), all: ours },
      ratio: { best: best(ours) / best(c), median: median(ours) / median(c) },
      target: 1 / 3,
      text_match: match, compared_chars: chars,
      ...(match ? {} : { llama2c_text: a.slice(0, COMPARE_CHARS), ours_text: b.slice(0, COMPARE_CHARS) }),
      machine: { cpu: cpu[0]?.model ?? 'unknown', cores: cpu.length, loadavg_before: loadBefore, loadavg_after: loadAfter, node: process.version },
    };
    if (f.json) console.log(JSON.stringify(result));
    else printTable(result);
    if (!match) {
      console.error(`\n!!! TEXT MISMATCH: llama2.c and our engine disagree in the first ${chars} chars !!!`);
      console.error(`llama2.c: ${result.llama2c_text}\nours:     ${result.ours_text}`);
      process.exitCode = 2;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function printTable(r: {
  prompt: string; steps: number; runs: number; llama2c_tok_s: { best: number; median: number; all: number[] };
  ours_tok_s: { best: number; median: number; all: number[] }; ratio: { best: number; median: number };
  text_match: boolean; compared_chars: number; machine: { cpu: string; cores: number; loadavg_before: number[]; loadavg_after: number[]; node: string };
}): void {
  const n = (x: number) => x.toFixed(0).padStart(8);
  const all = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(' ');
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  console.log(`stories260K · greedy · ${r.steps} steps · prompt ${JSON.stringify(r.prompt)} · best of ${r.runs}, runs interleaved`);
  console.log(`                        best   median  (tok/s; every run)`);
  console.log(`llama2.c (cc -O3)  ${n(r.llama2c_tok_s.best)} ${n(r.llama2c_tok_s.median)}  (${all(r.llama2c_tok_s.all)})`);
  console.log(`ours (cpu, f32)    ${n(r.ours_tok_s.best)} ${n(r.ours_tok_s.median)}  (${all(r.ours_tok_s.all)})`);
  console.log(`ratio ours/llama2.c  ${r.ratio.best.toFixed(3)}    ${r.ratio.median.toFixed(3)}  target >= 0.333: ${r.ratio.best >= 1 / 3 ? 'met' : 'NOT met'}`);
  console.log(`text: ${r.text_match ? 'same' : 'DIFFERENT'} (first ${r.compared_chars} chars, whitespace normalised)`);
  const m = r.machine;
  console.log(`machine: ${m.cpu} · ${m.cores} cores · load avg ${load(m.loadavg_before)} before, ${load(m.loadavg_after)} after · node ${m.node}`);
}

main().catch((e) => { console.error(oneLine(e)); process.exit(1); });
