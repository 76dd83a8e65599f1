// Decode speed of our CPU engine against llama2.c's single-threaded C, in one process on one machine: same model
// (stories260K), same prompt, greedy, and a check that both write the same text. llama2.c is not part of this
// repository: it reads run.c (github.com/karpathy/llama2.c, MIT) from ../shared/bench/llama2c/run.c, or --run-c PATH
// or LLAMA2C_RUN_C. The project's target: ours >= 0.5x llama2.c (best of interleaved runs, f32). Runs alternate C /
// ours f32 / ours bf16 so load on a shared machine hits all of them.
//   npx tsx scripts/bench/llama2c.ts [--run-c PATH/run.c] [--runs N] [--steps N] [--prompt TEXT] [--precision f32,bf16] [--json]
// Numbers: llama2.c's own "achieved tok/s" (every forward after the first, prompt tokens included, millisecond
// clock); ours is usage.decode_tok_s (tokens after the first sampled one). Best of N for each.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine, oneLine } from '../../workers/engine.ts';
import { num, parseArgs, str } from '../cli/args.ts';
import { best, median } from './format.ts';
import { convertGguf } from './gguf-to-llama2c.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MODEL = join(ROOT, '..', 'shared', 'models', 'stories260K', 'stories260K.gguf');
const SHARED_RUN_C = join(ROOT, '..', 'shared', 'bench', 'llama2c', 'run.c');
const TARGET = 0.5; // ours / llama2.c, f32, best of the interleaved runs
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

const normalise = (t: string) => t.replace(/\s+/g, ' ').trim();

async function main(): Promise<void> {
  const f = parseArgs(process.argv.slice(2), { 'run-c': 'string', runs: 'string', steps: 'string', prompt: 'string', precision: 'string', json: 'bool' });
  const RUN_C = str(f, 'run-c') ?? process.env.LLAMA2C_RUN_C ?? SHARED_RUN_C;
  if (!existsSync(RUN_C)) throw new Error(`no llama2.c run.c at ${RUN_C}: it is not shipped with this repository (../shared/bench/llama2c/run.c, or pass --run-c PATH)`);
  const o: Options = {
    runs: num(f, 'runs', 10, { int: true, min: 1 }),
    steps: num(f, 'steps', 256, { int: true, min: 2, max: 2048 }),
    prompt: str(f, 'prompt') ?? 'Once upon a time',
  };
  const precisions = (str(f, 'precision') ?? 'f32,bf16').split(',').map((p) => p.trim()).filter(Boolean);
  if (!existsSync(MODEL)) throw new Error(`../shared is absent (no ${MODEL}): this benchmark needs stories260K`);
  if (spawnSync('cc', ['--version']).status !== 0) throw new Error('no C compiler: `cc` is needed to build llama2.c');

  const dir = mkdtempSync(join(tmpdir(), 'llama2c-bench-'));
  try {
    const bin = join(dir, 'run');
    const cc = spawnSync('cc', ['-O3', '-o', bin, RUN_C, '-lm'], { encoding: 'utf8' }); // no -fopenmp: one thread
    if (cc.status !== 0) throw new Error(`cc failed on run.c: ${oneLine(cc.stderr)}`);
    const bytes = readFileSync(MODEL);
    const { model, tokenizer } = await convertGguf(bytes, dir);
    const engines: Engine[] = [];
    for (const precision of precisions) {
      const engine = new Engine({ engine: 'cpu', baseUrl: 'http://localhost/' });
      await engine.load({ kind: 'file', name: 'stories260K.gguf', bytes: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer }, undefined, { precision });
      engines.push(engine);
    }

    const loadBefore = loadavg();
    const warmC = runLlama2c(bin, model, tokenizer, o); // warm-up, not counted
    const warm: Run[] = [];
    for (const e of engines) warm.push(await runOurs(e, o));
    const c: number[] = [], ours: number[][] = engines.map(() => []);
    for (let i = 0; i < o.runs; i++) {
      c.push(runLlama2c(bin, model, tokenizer, o).tokS);
      for (let j = 0; j < engines.length; j++) ours[j].push((await runOurs(engines[j], o)).tokS);
    }
    const loadAfter = loadavg();

    // llama2.c's steps count the prompt, so its text can be the shorter: compare the common length, at most 200
    const a = normalise(warmC.text);
    const rows = precisions.map((precision, j) => {
      const b = normalise(warm[j].text);
      const chars = Math.min(a.length, b.length, COMPARE_CHARS);
      const match = a.slice(0, chars) === b.slice(0, chars);
      return {
        precision, tok_s: { best: best(ours[j]), median: median(ours[j]), all: ours[j] },
        ratio: { best: best(ours[j]) / best(c), median: median(ours[j]) / median(c) },
        text_match: match, compared_chars: chars, ...(match ? {} : { text: b.slice(0, COMPARE_CHARS) }),
      };
    });
    const cpu = cpus();
    const result = {
      model: 'stories260K', prompt: o.prompt, steps: o.steps, runs: o.runs, target: TARGET,
      llama2c_tok_s: { best: best(c), median: median(c), all: c }, llama2c_text: a.slice(0, COMPARE_CHARS),
      ours: rows,
      machine: { cpu: cpu[0]?.model ?? 'unknown', cores: cpu.length, loadavg_before: loadBefore, loadavg_after: loadAfter, node: process.version },
    };
    if (f.json) console.log(JSON.stringify(result));
    else printTable(result);
    // f32 must write llama2.c's text (same model, same arithmetic up to summation order); bf16 rounds the weights
    const f32 = rows.find((r) => r.precision === 'f32');
    if (f32 && !f32.text_match) {
      console.error(`\n!!! TEXT MISMATCH: llama2.c and our f32 engine disagree in the first ${f32.compared_chars} chars !!!`);
      console.error(`llama2.c: ${result.llama2c_text}\nours:     ${f32.text}`);
      process.exitCode = 2;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Row { precision: string; tok_s: { best: number; median: number; all: number[] }; ratio: { best: number; median: number }; text_match: boolean; compared_chars: number; text?: string }

function printTable(r: {
  prompt: string; steps: number; runs: number; target: number; llama2c_tok_s: { best: number; median: number; all: number[] }; llama2c_text: string;
  ours: Row[]; machine: { cpu: string; cores: number; loadavg_before: number[]; loadavg_after: number[]; node: string };
}): void {
  const n = (x: number) => x.toFixed(0).padStart(8);
  const all = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(' ');
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  console.log(`stories260K · greedy · ${r.steps} steps · prompt ${JSON.stringify(r.prompt)} · best of ${r.runs}, runs interleaved`);
  console.log(`                        best   median  ratio best / median  text  (tok/s; every run)`);
  console.log(`llama2.c (cc -O3)  ${n(r.llama2c_tok_s.best)} ${n(r.llama2c_tok_s.median)}                             (${all(r.llama2c_tok_s.all)})`);
  for (const o of r.ours) {
    const text = o.text_match ? 'same' : 'DIFF';
    console.log(`ours (cpu, ${o.precision.padEnd(5)})  ${n(o.tok_s.best)} ${n(o.tok_s.median)}   ${o.ratio.best.toFixed(3)} / ${o.ratio.median.toFixed(3)}       ${text.padEnd(4)}  (${all(o.tok_s.all)})`);
  }
  const f32 = r.ours.find((o) => o.precision === 'f32');
  if (f32) console.log(`target: ours f32 >= ${r.target}x llama2.c (best): ${f32.ratio.best >= r.target ? 'met' : 'NOT met'} (${f32.ratio.best.toFixed(3)})`);
  console.log(`text: the first ${Math.min(...r.ours.map((o) => o.compared_chars))} chars against llama2.c's, whitespace normalised`);
  const m = r.machine;
  console.log(`machine: ${m.cpu} · ${m.cores} cores · load avg ${load(m.loadavg_before)} before, ${load(m.loadavg_after)} after · node ${m.node}`);
}

main().catch((e) => { console.error(oneLine(e)); process.exit(1); });
