// The command line: generate, tokenize, inspect, bench, eval, quant, models (the Hub cache: docs/hub.md). `--engine cpu` runs the engine in Node;
// `--engine webgpu` runs the same engine in headless Chromium (scripts/cli/browser.ts). Errors: one line on
// stderr and a non-zero exit, never a stack trace.
import { readFileSync } from 'node:fs';
import { Engine } from '../workers/engine.ts';
import { num, parseArgs, str, type Flags } from './cli/args.ts';
import { loadEngine, loadHeaders, modelFiles } from './cli/files.ts';
import type { LoadOptions } from '../workers/api.ts';
import { benchOp, evalOp, generateOp, type GenerateArgs } from './cli/ops.ts';
import { quantCommand } from './cli/quant.ts';
import { inspect, printInspect } from './cli/inspect.ts';
import { oneLine } from '../workers/engine.ts';
import { hubEnv } from './hub/env.ts';
import { listModels, printModels, removeModel } from './hub/manage.ts';

const USAGE = `usage: npm run -s cli -- <command> [flags]
  generate --model FILE|DIR|URL|hf:ID --prompt TEXT [--chat] [--max-tokens N] [--temperature T] [--top-k K] [--top-p P] [--seed S] [--engine cpu|webgpu] [--precision P] [--context N] [--threads N] [--logprobs K] [--json]
  tokenize --model FILE --text TEXT [--json]
  inspect  --model FILE [--json]
  bench    --model FILE [--engine cpu|webgpu] [--precision P[,P...]] [--prompt-tokens N] [--gen-tokens N] [--context N] [--threads N] [--json]
  eval     --model FILE --text-file FILE --precision P [--engine cpu|webgpu] [--context N] [--json]
  quant    --format e4m3|e5m2|bf16 [--table] [--json]   (numbers on stdin)
  models   list [--json] | rm hf:org/name[@revision]    (the Hugging Face cache)
  serve    [--model M] [--host 127.0.0.1] [--port 8080] [--engine cpu|webgpu] [--precision P] [--context N] [--threads N] [--api-key KEY]
           an OpenAI-compatible HTTP server: /v1/models, /v1/chat/completions, /v1/completions, /health, /metrics
Without --model, the embedded default model is used. --model hf:org/name[@revision] or hf:org/name/file.gguf
(any command) downloads the model from the Hub into huggingface_hub's cache first (HF_ENDPOINT, HF_HOME,
HF_HUB_CACHE, HF_TOKEN, HF_HUB_OFFLINE; docs/hub.md). Precisions: f32, bf16, fp8-llama3, fp8-all (default: as the
file stores it). --context: positions the KV cache holds (default min(the model's context, 4096)). --threads: the
CPU engine's threads for big matvecs (worker_threads over shared memory; default 1).`;

const common = { model: 'string', engine: 'string', json: 'bool', precision: 'string', context: 'string', threads: 'string', 'binding-limit': 'string' } as const;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'generate': return generate(parseArgs(rest, { ...common, prompt: 'string', chat: 'bool', 'max-tokens': 'string', temperature: 'string', 'top-k': 'string', 'top-p': 'string', seed: 'string', logprobs: 'string' }));
    case 'tokenize': return tokenize(parseArgs(rest, { model: 'string', text: 'string', json: 'bool' }));
    case 'inspect': return inspectCommand(parseArgs(rest, { model: 'string', json: 'bool' }));
    case 'bench': return bench(parseArgs(rest, { ...common, 'prompt-tokens': 'string', 'gen-tokens': 'string', repeats: 'string' }));
    case 'eval': return evalCommand(parseArgs(rest, { ...common, 'text-file': 'string' }));
    case 'quant': return quantCommand(parseArgs(rest, { format: 'string', table: 'bool', json: 'bool' }));
    case 'models': return modelsCommand(rest);
    case 'serve': return serve(parseArgs(rest, { ...common, host: 'string', port: 'string', 'api-key': 'string' }));
    case undefined: case 'help': case '--help': case '-h': console.log(USAGE); return;
    default: throw new Error(`unknown command "${command}": use generate, tokenize, inspect, bench, eval, quant, models or serve`);
  }
}

function engineKind(f: Flags): 'cpu' | 'webgpu' {
  const e = str(f, 'engine') ?? 'cpu';
  if (e !== 'cpu' && e !== 'webgpu') throw new Error(`--engine must be cpu or webgpu, got "${e}"`);
  return e;
}

async function generate(f: Flags): Promise<void> {
  const prompt = str(f, 'prompt');
  if (prompt === undefined) throw new Error('generate needs --prompt TEXT');
  const args: GenerateArgs = {
    prompt,
    chat: f.chat === true,
    maxTokens: num(f, 'max-tokens', 64, { int: true, min: 0 }),
    temperature: num(f, 'temperature', 0, { min: 0 }),
    topK: num(f, 'top-k', 0, { int: true, min: 0 }),
    topP: num(f, 'top-p', 1, { min: 0, max: 1 }),
    seed: num(f, 'seed', 42, { int: true, min: 0 }),
    precision: str(f, 'precision') ?? null,
    logprobs: num(f, 'logprobs', 0, { int: true, min: 0, max: 20 }),
  };
  const r = await runOp(f, 'generate', args, (engine) => generateOp(engine, args));
  if (f.json) console.log(JSON.stringify(r));
  else {
    process.stdout.write(`${r.text}\n`);
    const s = r.stats;
    process.stderr.write(`[${r.engine} ${r.precision}] prefill ${s.prefill_tokens} tok ${s.prefill_tok_s.toFixed(0)} tok/s · ttft ${s.ttft_ms.toFixed(1)} ms · decode ${s.decode_tokens} tok ${s.decode_tok_s.toFixed(0)} tok/s\n`);
  }
}

async function tokenize(f: Flags): Promise<void> {
  const text = str(f, 'text');
  if (text === undefined) throw new Error('tokenize needs --text TEXT');
  const model = await loadHeaders(str(f, 'model')); // the tokenizer only: no weight is read
  const ids = model.tokenizer.encode(text, { bos: true });
  if (f.json) console.log(JSON.stringify({ tokens: ids, pieces: ids.map((id) => model.tokenizer.tokenText(id)) }));
  else console.log(ids.map((id) => `${id}\t${JSON.stringify(model.tokenizer.tokenText(id))}`).join('\n'));
}

async function inspectCommand(f: Flags): Promise<void> {
  const r = inspect(await loadHeaders(str(f, 'model'))); // headers and tokenizer only
  if (f.json) console.log(JSON.stringify(r));
  else printInspect(r);
}

async function bench(f: Flags): Promise<void> {
  const args = {
    promptTokens: num(f, 'prompt-tokens', 64, { int: true, min: 1 }),
    genTokens: num(f, 'gen-tokens', 64, { int: true, min: 1 }),
    precisions: (str(f, 'precision') ?? 'f32,bf16,fp8-llama3,fp8-all').split(',').map((s) => s.trim()).filter(Boolean),
    repeats: num(f, 'repeats', 3, { int: true, min: 1, max: 20 }),
  };
  const r = await runOp(f, 'bench', args, (engine, loadMs) => benchOp(engine, args, loadMs));
  if (f.json) { console.log(JSON.stringify(r)); return; }
  console.log(`${r.model} on ${r.engine}${r.adapter ? ` (${r.adapter})` : ''}; loaded in ${(r.load_ms / 1000).toFixed(1)} s${r.copy_gb_s ? `; copy kernel ${r.copy_gb_s.toFixed(2)} GB/s` : ''}`);
  console.log('precision    weight MB  repack ms  B/token    prefill tok/s  decode tok/s  weight GB/s  of copy  outside GPU');
  const pct = (v: number | null, w: number) => (v === null ? '-' : `${(v * 100).toFixed(0)}%`).padStart(w);
  for (const x of r.results) {
    console.log(`${x.precision.padEnd(12)} ${(x.weight_bytes / 1e6).toFixed(3).padStart(9)}  ${x.repack_ms.toFixed(0).padStart(9)}  ${String(x.bytes_per_token).padStart(9)}  ${sig(x.prefill_tok_s).padStart(13)}  ${sig(x.decode_tok_s).padStart(12)}  ${x.decode_weight_gb_s.toFixed(3).padStart(11)}  ${pct(x.share_of_copy_bandwidth, 7)}  ${pct(x.outside_gpu_share, 11)}`);
  }
}

/** Three significant digits, whole numbers above 100 (tok/s from 0.2 on SwiftShader to thousands on the CPU). */
const sig = (x: number) => (x >= 100 ? x.toFixed(0) : x.toPrecision(3));

async function evalCommand(f: Flags): Promise<void> {
  const file = str(f, 'text-file');
  if (!file) throw new Error('eval needs --text-file FILE');
  const text = readFileSync(file, 'utf8');
  const precision = str(f, 'precision');
  if (!precision) throw new Error('eval needs --precision P (f32, bf16, fp8-llama3 or fp8-all)');
  const r = await runOp(f, 'eval', { text, precision }, (engine) => evalOp(engine, text, precision));
  if (f.json) { console.log(JSON.stringify(r)); return; }
  console.log(`[${r.engine}] ${precision} vs ${r.reference} over ${r.tokens} tokens: KL mean ${r.kl_mean.toExponential(3)} max ${r.kl_max.toExponential(3)} · top-1 agreement ${(r.top1_agreement * 100).toFixed(1)}% · perplexity ${r.perplexity.toFixed(3)} (${r.reference} ${r.reference_perplexity.toFixed(3)})`);
  console.log('tensor       dtype     bytes       amax      scale  clipped  underflow  nan');
  for (const t of r.tensors) {
    console.log(`${t.label.padEnd(12)} ${t.dtype.padEnd(8)} ${String(t.bytes).padStart(8)} ${t.amax.toPrecision(4).padStart(10)} ${t.scale.toPrecision(4).padStart(10)} ${String(t.clipped).padStart(8)} ${String(t.underflow).padStart(10)} ${String(t.nan).padStart(4)}`);
  }
}

/** `models list [--json]`, `models rm ID[@revision]`: the models in huggingface_hub's cache. */
async function modelsCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  const { cacheDir } = hubEnv();
  if (sub === 'list') {
    const f = parseArgs(rest, { json: 'bool' });
    const repos = listModels(cacheDir);
    if (f.json) console.log(JSON.stringify({ cache: cacheDir, models: repos }));
    else printModels(repos, cacheDir);
    return;
  }
  if (sub === 'rm') {
    const [id, ...more] = rest;
    if (!id || id.startsWith('--')) throw new Error('models rm needs an id: models rm hf:org/name[@revision]');
    parseArgs(more, {});
    console.log(removeModel(cacheDir, id));
    return;
  }
  throw new Error(`unknown models command "${sub ?? ''}": use models list [--json] or models rm hf:org/name[@revision]`);
}

/** `serve`: the engine over HTTP until SIGINT / SIGTERM (scripts/serve/). */
async function serve(f: Flags): Promise<void> {
  const { serveCommand } = await import('./serve/command.ts');
  await serveCommand({
    model: str(f, 'model'),
    engine: engineKind(f),
    bindingLimit: f['binding-limit'] === undefined ? undefined : num(f, 'binding-limit', 0, { int: true, min: 1024 }),
    host: str(f, 'host') ?? '127.0.0.1',
    port: num(f, 'port', 8080, { int: true, min: 0, max: 65535 }),
    apiKey: str(f, 'api-key') ?? null,
    load: { context: f.context === undefined ? undefined : num(f, 'context', 0, { int: true, min: 2 }), precision: str(f, 'precision'), threads: threadsFlag(f) },
  });
}

/** --threads: the CPU engine's threads (the engine checks the range and says it in one line). */
const threadsFlag = (f: Flags) => (f.threads === undefined ? undefined : num(f, 'threads', 1, { int: true, min: 1, max: 16 }));

/** Runs an op on the chosen engine: in this process (cpu) or in headless Chromium (webgpu). */
async function runOp<A, R>(f: Flags, op: 'generate' | 'bench' | 'eval', args: A, local: (engine: Engine, loadMs: number) => Promise<R>): Promise<R> {
  const model = str(f, 'model');
  const precision = str(f, 'precision')?.split(',')[0].trim(); // loaded in the (first) precision asked for: one packing
  const load: LoadOptions = { context: f.context === undefined ? undefined : num(f, 'context', 0, { int: true, min: 2 }), precision, threads: threadsFlag(f) };
  const bindingLimit = f['binding-limit'] === undefined ? undefined : num(f, 'binding-limit', 0, { int: true, min: 1024 });
  if (engineKind(f) === 'cpu') {
    const t0 = performance.now();
    const engine = await loadEngine(model, load);
    return local(engine, performance.now() - t0);
  }
  const { runInBrowser } = await import('./cli/browser.ts'); // Vite and Playwright load only for this engine
  return runInBrowser<R>(await modelFiles(model), op, args, load, bindingLimit);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (e) => { process.stderr.write(`error: ${oneLine(e)}\n`); process.exit(1); },
);
