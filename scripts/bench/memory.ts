// Memory of one operation on a model, measured in this process: the resident set before (engine code loaded,
// nothing read), after, and at its peak (getrusage's maxRSS), with the weight bytes the engine holds. One
// operation per process, so the peak belongs to it. Used by tests/unit/real-size-memory.test.ts and the benchmarks.
//   npx tsx scripts/bench/memory.ts --model DIR|FILE --op inspect|tokenize|load|switch [--precision P] [--to P]
//     [--context N] [--json]
import { Engine } from '../../workers/engine.ts';
import { num, parseArgs, str } from '../cli/args.ts';
import { loadEngine, loadHeaders } from '../cli/files.ts';
import { oneLine } from '../../workers/engine.ts';

const MB = 2 ** 20;
const rss = () => process.memoryUsage().rss;
const maxRss = () => process.resourceUsage().maxRSS * 1024; // KiB on Linux

/** Lets V8 collect what the operation dropped (when started with --expose-gc), so "after" is what is kept. */
const settle = () => (globalThis as { gc?: () => void }).gc?.();

async function main(): Promise<void> {
  const f = parseArgs(process.argv.slice(2), { model: 'string', op: 'string', precision: 'string', to: 'string', context: 'string', json: 'bool' });
  const model = str(f, 'model');
  const op = str(f, 'op') ?? 'load';
  const context = f.context === undefined ? 256 : num(f, 'context', 256, { int: true, min: 2 });
  void Engine; // the engine's code is imported before the baseline
  settle();
  const before = rss();
  const t0 = performance.now();
  const out: Record<string, unknown> = { op, model };
  if (op === 'inspect' || op === 'tokenize') {
    const m = await loadHeaders(model);
    if (op === 'tokenize') out.tokens = m.tokenizer.encode('The quick brown fox jumps over the lazy dog. 1234567', { bos: true }).length;
    out.tensors = m.tensors.length;
  } else if (op === 'load' || op === 'switch') {
    const engine = await loadEngine(model, { context, precision: str(f, 'precision') });
    const { forward } = engine.loaded();
    out.load_ms = performance.now() - t0;
    out.precision = forward.precision.preset;
    out.weight_bytes = forward.weightBytes();
    out.largest_tensor_bytes = Math.max(...forward.tensorStats().map((t) => t.bytes));
    settle();
    out.loaded_rss_delta = rss() - before;
    out.loaded_max_rss_delta = maxRss() - before;
    if (op === 'switch') {
      const to = str(f, 'to') ?? 'fp8-all';
      const t1 = performance.now();
      await engine.setPrecision(to as 'fp8-all');
      out.switch_ms = performance.now() - t1;
      out.switched_to = to;
      out.switched_weight_bytes = forward.weightBytes();
    }
  } else {
    throw new Error(`--op must be inspect, tokenize, load or switch, got "${op}"`);
  }
  out.ms = performance.now() - t0;
  settle();
  out.rss_delta = rss() - before;
  out.max_rss_delta = maxRss() - before;
  out.baseline_rss = before;
  if (f.json) { console.log(JSON.stringify(out)); return; }
  for (const [k, v] of Object.entries(out)) console.log(`${k.padEnd(22)} ${typeof v === 'number' && /bytes|rss/.test(k) ? `${(v / MB).toFixed(1)} MiB` : typeof v === 'number' ? v.toFixed(0) : v}`);
}

main().catch((e) => { console.error(`error: ${oneLine(e)}`); process.exit(1); });
