// Load test of `cli serve` on loopback: N concurrent clients (the official openai client, streaming chat) each send
// requests back to back for a bounded time; per N, the server's throughput and the clients' latency (p50/p95 of
// time to first token and of the whole request). The server runs as a child process, as a user would start it.
//
//   npx tsx scripts/bench/serve-load.ts [--clients 1,2,4,8] [--seconds 10] [--max-tokens 64] [--port 18085] [--model M] [--json]
//
// One generation runs at a time (one KV cache), so throughput should stay flat with N while latency grows with
// the queue: about N times a solo request.
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { num, parseArgs, str } from '../cli/args.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROMPTS = [
  'What is 53 + 16?', 'Tell me a story about a fox.', 'What is the capital of France?', 'Write a Python function that adds two numbers.',
  'What is 7 times 8?', '¿Cómo estás?', 'Tell me a fact about the moon.', 'What is 120 - 45?',
];

interface Sample { ttftMs: number; totalMs: number; tokens: number }

async function main(): Promise<void> {
  const f = parseArgs(process.argv.slice(2), { clients: 'string', seconds: 'string', 'max-tokens': 'string', port: 'string', model: 'string', json: 'bool' });
  const clients = (str(f, 'clients') ?? '1,2,4,8').split(',').map(Number);
  const seconds = num(f, 'seconds', 10, { min: 1 });
  const maxTokens = num(f, 'max-tokens', 64, { int: true, min: 1 });
  const port = num(f, 'port', 18085, { int: true, min: 1, max: 65535 });
  const model = str(f, 'model');

  const server = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', 'serve', '--port', String(port), ...(model ? ['--model', model] : [])], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const banner = await new Promise<string>((ok, no) => {
      let out = '';
      server.stdout.on('data', (d) => { out += d; if (out.includes('\n')) ok(out.split('\n')[0]); });
      server.on('exit', (code) => no(new Error(`cli serve exited (${code}) before listening`)));
    });
    const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'unused', maxRetries: 0 });
    const served = (await client.models.list()).data[0].id;
    const rows = [];
    await runFor(client, served, 1, 2, maxTokens); // warm-up: JIT, caches
    for (const n of clients) {
      const load0 = loadavg()[0];
      const t0 = performance.now();
      const samples = await runFor(client, served, n, seconds, maxTokens);
      const wallS = (performance.now() - t0) / 1000;
      const tokens = samples.reduce((s, x) => s + x.tokens, 0);
      rows.push({
        clients: n, requests: samples.length, tokens, wall_s: wallS,
        tok_s: tokens / wallS, req_s: samples.length / wallS,
        ttft_p50_ms: pct(samples.map((s) => s.ttftMs), 0.5), ttft_p95_ms: pct(samples.map((s) => s.ttftMs), 0.95),
        latency_p50_ms: pct(samples.map((s) => s.totalMs), 0.5), latency_p95_ms: pct(samples.map((s) => s.totalMs), 0.95),
        load_avg: load0,
      });
    }
    const machine = `${cpus().length} x ${cpus()[0]?.model.trim()}, Node ${process.version}`;
    if (f.json) { console.log(JSON.stringify({ server: banner, machine, seconds, max_tokens: maxTokens, rows })); return; }
    console.log(`${banner}\n${machine}; ${seconds} s per row, streaming chat, max_tokens ${maxTokens}`);
    console.log('clients  requests  tokens   tok/s   req/s   ttft p50   ttft p95   latency p50  latency p95  load');
    for (const r of rows) {
      console.log(`${String(r.clients).padStart(7)}  ${String(r.requests).padStart(8)}  ${String(r.tokens).padStart(6)}  ${r.tok_s.toFixed(0).padStart(6)}  ${r.req_s.toFixed(1).padStart(6)}  ${ms(r.ttft_p50_ms)}  ${ms(r.ttft_p95_ms)}  ${ms(r.latency_p50_ms, 11)}  ${ms(r.latency_p95_ms, 11)}  ${r.load_avg.toFixed(1).padStart(4)}`);
    }
  } finally {
    server.kill('SIGTERM');
  }
}

/** n clients, each sending streaming requests back to back until `seconds` have passed (the last one finishes). */
async function runFor(client: OpenAI, model: string, n: number, seconds: number, maxTokens: number): Promise<Sample[]> {
  const end = performance.now() + seconds * 1000;
  const samples: Sample[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (performance.now() < end) {
      const prompt = PROMPTS[next++ % PROMPTS.length];
      const t0 = performance.now();
      let ttft = NaN, tokens = 0;
      const stream = await client.chat.completions.create({
        model, messages: [{ role: 'user', content: prompt }], temperature: 0, max_tokens: maxTokens, stream: true, stream_options: { include_usage: true },
      });
      for await (const c of stream) {
        if (Number.isNaN(ttft) && c.choices[0]?.delta.content) ttft = performance.now() - t0;
        if (c.usage) tokens = c.usage.completion_tokens;
      }
      samples.push({ ttftMs: ttft, totalMs: performance.now() - t0, tokens });
    }
  }));
  return samples;
}

function pct(xs: number[], q: number): number {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
}

const ms = (x: number, w = 9) => `${x.toFixed(0)} ms`.padStart(w);

main().then(() => process.exit(0), (e) => { console.error(`error: ${e instanceof Error ? e.message : String(e)}`); process.exit(1); });
