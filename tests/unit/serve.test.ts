// `cli serve` against the official `openai` npm client (an independent client no one here wrote), on 127.0.0.1 with
// the embedded default model on the CPU engine: the models list; chat completions whole and streamed with the same
// greedy text as `cli generate --chat`; logprobs' shape; usage; 4 concurrent streams equal to their solo runs (the
// queue never interleaves them in one KV cache); a cancelled stream stops its generation and frees the engine;
// OpenAI's error object for 400s and 401s; /metrics as Prometheus text. Most tests run the server in this process
// (startServer, what `cli serve` runs); one starts `cli serve` itself as a child process.
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEngine } from '../../scripts/cli/files.ts';
import { servedCpuEngine } from '../../scripts/serve/engine.ts';
import { startServer, type RunningServer } from '../../scripts/serve/server.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PORT = 18090; // this branch's test ports: 18080-18099
const KEY_PORT = 18091;
const CHILD_PORT = 18092;
const GPU_PORT = 18093;
const MODEL = 'llama31-mini';
const KEY = 'sk-serve-test-key';
const PROMPTS = ['What is 53 + 16?', 'Tell me a story about a fox.', 'What is the capital of France?', 'Write a Python function that adds two numbers.'];

let server: RunningServer;
let keyed: RunningServer;
let client: OpenAI;

beforeAll(async () => {
  const engine = servedCpuEngine(await loadEngine(undefined));
  server = await startServer(engine, { host: '127.0.0.1', port: PORT, apiKey: null });
  keyed = await startServer(servedCpuEngine(await loadEngine(undefined)), { host: '127.0.0.1', port: KEY_PORT, apiKey: KEY });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});
afterAll(async () => { await server?.close(); await keyed?.close(); });

/** `npm run -s cli -- generate --chat ... --json` as a child process. */
function cliGenerate(prompt: string, maxTokens: number, engine = 'cpu'): Promise<{ text: string; tokens: number[]; prompt_tokens: number[] }> {
  return new Promise((ok, no) => execFile(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', 'generate', '--chat', '--prompt', prompt,
    '--max-tokens', String(maxTokens), '--temperature', '0', '--engine', engine, '--json'], { cwd: ROOT }, (e, stdout, stderr) => (e ? no(new Error(stderr)) : ok(JSON.parse(stdout)))));
}

/** `cli serve` as a child process, resolved once it has printed its first line (where it listens). */
async function serveChild(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', 'serve', ...args], { cwd: ROOT });
  let out = '', err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
  await new Promise<void>((ok, no) => {
    child.stdout.on('data', () => { if (out.includes('\n')) ok(); });
    child.on('exit', () => no(new Error(`cli serve exited: ${out}${err}`)));
  });
  return { out: () => out, exited, stop: () => child.kill('SIGTERM') };
}

async function streamChat(prompt: string, maxTokens: number) {
  const stream = await client.chat.completions.create({
    model: MODEL, messages: [{ role: 'user', content: prompt }], temperature: 0, max_tokens: maxTokens, stream: true, stream_options: { include_usage: true },
  });
  let text = '';
  const chunks = [];
  for await (const c of stream) { chunks.push(c); text += c.choices[0]?.delta.content ?? ''; }
  return { text, chunks };
}

describe('cli serve with the openai client', () => {
  it('lists the model', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual([MODEL]);
    expect(models.data[0].object).toBe('model');
    expect((await client.models.retrieve(MODEL)).id).toBe(MODEL);
  });

  it('answers a chat whole and streamed with the greedy text of `cli generate --chat`, with usage', async () => {
    const prompt = PROMPTS[0];
    const reference = await cliGenerate(prompt, 24);
    const whole = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: prompt }], temperature: 0, max_tokens: 24 });
    expect(whole.object).toBe('chat.completion');
    expect(whole.choices).toHaveLength(1);
    expect(whole.choices[0].message).toMatchObject({ role: 'assistant', content: reference.text });
    expect(whole.choices[0].finish_reason).toBe(reference.tokens.length === 24 ? 'length' : 'stop');
    expect(whole.usage).toEqual({ prompt_tokens: reference.prompt_tokens.length, completion_tokens: reference.tokens.length, total_tokens: reference.prompt_tokens.length + reference.tokens.length });

    const { text, chunks } = await streamChat(prompt, 24);
    expect(text).toBe(reference.text);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0].id)).toBe(true);
    const last = chunks[chunks.length - 1]; // include_usage: a last chunk with no choices and the usage
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual(whole.usage);
    expect(chunks[chunks.length - 2].choices[0].finish_reason).toBe(whole.choices[0].finish_reason);
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it('answers a plain completion, streamed the same as whole', async () => {
    const body = { model: MODEL, prompt: 'Once upon a time', temperature: 0, max_tokens: 16 };
    const whole = await client.completions.create(body);
    expect(whole.object).toBe('text_completion');
    expect(whole.choices[0].text.length).toBeGreaterThan(0);
    let text = '';
    for await (const c of await client.completions.create({ ...body, stream: true })) text += c.choices[0]?.text ?? '';
    expect(text).toBe(whole.choices[0].text);
  });

  it('returns logprobs in OpenAI\'s shape: one entry per token, top_logprobs sorted, the greedy token first', async () => {
    const r = await client.chat.completions.create({
      model: MODEL, messages: [{ role: 'user', content: PROMPTS[2] }], temperature: 0, max_tokens: 12, logprobs: true, top_logprobs: 3,
    });
    const content = r.choices[0].logprobs!.content!;
    expect(content).toHaveLength(r.usage!.completion_tokens);
    expect(content.map((t) => t.token).join('')).toBe(r.choices[0].message.content);
    for (const t of content) {
      expect(t.logprob).toBeLessThanOrEqual(0);
      expect(t.bytes).toEqual([...new TextEncoder().encode(t.token)]);
      expect(t.top_logprobs).toHaveLength(3);
      const lps = t.top_logprobs.map((x) => x.logprob);
      expect([...lps].sort((a, b) => b - a)).toEqual(lps);
      expect(t.top_logprobs[0]).toMatchObject({ token: t.token, logprob: t.logprob }); // greedy: the most likely token
    }
    const legacy = await client.completions.create({ model: MODEL, prompt: 'Once upon a time', temperature: 0, max_tokens: 6, logprobs: 2 });
    const lp = legacy.choices[0].logprobs!;
    expect(lp.tokens!.join('')).toBe(legacy.choices[0].text);
    expect(lp.token_logprobs).toHaveLength(6);
    expect(lp.top_logprobs!.every((m) => Object.keys(m).length === 2)).toBe(true);
    expect(lp.text_offset![0]).toBe(0);
  });

  it('queues 4 concurrent streams: each gives the text of its solo run', async () => {
    const solo = [];
    for (const p of PROMPTS) solo.push((await streamChat(p, 32)).text);
    const together = await Promise.all(PROMPTS.map((p) => streamChat(p, 32)));
    expect(together.map((t) => t.text)).toEqual(solo);
    expect(new Set(solo).size).toBe(PROMPTS.length); // four different answers, so a mix-up would show
  });

  it('stops a cancelled stream\'s generation and runs the next request', async () => {
    const aborted = () => server.metrics.finished.get({ finish_reason: 'abort' });
    const before = { aborted: aborted(), tokens: server.metrics.generationTokens.get() };
    // seed 19 at temperature 2 runs 309 tokens alone before its end of text: far more than the cancel lets through
    const ac = new AbortController();
    const stream = await client.completions.create({ model: MODEL, prompt: 'Once upon a time', temperature: 2, seed: 19, max_tokens: 400, stream: true }, { signal: ac.signal });
    let received = 0;
    try {
      for await (const c of stream) { received += c.choices.length; ac.abort(); } // the client ends the iteration (or throws)
    } catch (e) { expect(e).toBeInstanceOf(OpenAI.APIUserAbortError); }
    expect(received).toBeGreaterThan(0);
    const next = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: PROMPTS[0] }], temperature: 0, max_tokens: 8 });
    expect(next.choices[0].message.content!.length).toBeGreaterThan(0);
    expect(aborted()).toBe(before.aborted + 1);
    const cancelledTokens = server.metrics.generationTokens.get() - before.tokens - next.usage!.completion_tokens;
    expect(cancelledTokens).toBeLessThan(309);
    expect(server.queue.length).toBe(0);
    expect(server.queue.busy).toBe(false);
  });

  it('answers invalid requests with 400 and OpenAI\'s error object', async () => {
    const messages = [{ role: 'user' as const, content: 'hi' }];
    const cases: [Record<string, unknown>, string][] = [
      [{ model: MODEL, messages, n: 2 }, 'n'],
      [{ model: MODEL, messages: [] }, 'messages'],
      [{ model: MODEL, messages, temperature: 3 }, 'temperature'],
      [{ model: MODEL, messages, max_tokens: 0 }, 'max_tokens'],
      [{ model: MODEL, messages, top_logprobs: 2 }, 'top_logprobs'],
      [{ model: MODEL, messages, stream_options: { include_usage: true } }, 'stream_options'],
      [{ model: MODEL, messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].role'],
    ];
    for (const [body, param] of cases) {
      const e = await client.chat.completions.create(body as never).then(() => null, (x: unknown) => x);
      expect(e, param).toBeInstanceOf(OpenAI.BadRequestError);
      expect((e as InstanceType<typeof OpenAI.APIError>).param).toBe(param);
      expect((e as InstanceType<typeof OpenAI.APIError>).type).toBe('invalid_request_error');
    }
    const raw = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"messages": [' });
    expect(raw.status).toBe(400);
    expect(Object.keys((await raw.json()).error).sort()).toEqual(['code', 'message', 'param', 'type']);
    const unknown = await client.chat.completions.create({ model: 'gpt-4o', messages }).then(() => null, (x: unknown) => x);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('answers a wrong or missing API key with 401, the right one with 200; /health needs none', async () => {
    const wrong = new OpenAI({ baseURL: `${keyed.url}/v1`, apiKey: 'sk-wrong', maxRetries: 0 });
    const e = await wrong.models.list().then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((e as InstanceType<typeof OpenAI.APIError>).code).toBe('invalid_api_key');
    const missing = await fetch(`${keyed.url}/v1/chat/completions`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(401);
    expect((await missing.json()).error.code).toBe('invalid_api_key');
    const right = new OpenAI({ baseURL: `${keyed.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const r = await right.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 4, seed: 1 });
    expect(r.choices).toHaveLength(1);
    expect((await fetch(`${keyed.url}/health`)).status).toBe(200);
  });

  it('serves /metrics as Prometheus text', async () => {
    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parsePrometheus(await res.text());
    for (const name of ['llama_requests_total', 'llama_prompt_tokens_total', 'llama_generation_tokens_total', 'llama_num_requests_waiting',
      'llama_time_to_first_token_seconds_count', 'llama_inter_token_latency_seconds_count']) expect(samples.has(name), name).toBe(true);
    expect(samples.get('llama_time_to_first_token_seconds_count')![0].value).toBeGreaterThan(0);
    expect(samples.get('llama_num_requests_waiting')![0].value).toBe(0);
    // histogram buckets are cumulative and end at +Inf = _count
    const buckets = samples.get('llama_inter_token_latency_seconds_bucket')!;
    for (let i = 1; i < buckets.length; i++) expect(buckets[i].value).toBeGreaterThanOrEqual(buckets[i - 1].value);
    expect(buckets[buckets.length - 1]).toMatchObject({ labels: { le: '+Inf' }, value: samples.get('llama_inter_token_latency_seconds_count')![0].value });
  });
});

describe('cli serve as a command', () => {
  it('says where it listens, serves, and exits on SIGTERM', async () => {
    const child = await serveChild(['--port', String(CHILD_PORT)]);
    try {
      expect(child.out()).toMatch(new RegExp(`^serving ${MODEL} \\(cpu engine, bf16, context 512\\) at http://127\\.0\\.0\\.1:${CHILD_PORT}/v1\\n`));
      const c = new OpenAI({ baseURL: `http://127.0.0.1:${CHILD_PORT}/v1`, apiKey: 'unused', maxRetries: 0 });
      expect((await c.models.list()).data[0].id).toBe(MODEL);
    } finally {
      child.stop();
    }
    expect(await child.exited).toBe(0);
  });

  it('serves the WebGPU engine (headless Chromium) with the greedy text of `cli generate --engine webgpu --chat`', async () => {
    const prompt = PROMPTS[0];
    const reference = await cliGenerate(prompt, 12, 'webgpu');
    const child = await serveChild(['--port', String(GPU_PORT), '--engine', 'webgpu']);
    try {
      expect(child.out()).toMatch(/^serving llama31-mini \(webgpu engine, bf16, context 512\)/);
      const c = new OpenAI({ baseURL: `http://127.0.0.1:${GPU_PORT}/v1`, apiKey: 'unused', maxRetries: 0 });
      let text = '';
      for await (const chunk of await c.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: prompt }], temperature: 0, max_tokens: 12, stream: true })) {
        text += chunk.choices[0]?.delta.content ?? '';
      }
      expect(text).toBe(reference.text);
    } finally {
      child.stop();
    }
    expect(await child.exited).toBe(0);
  }, 180_000);
});

interface Sample { labels: Record<string, string>; value: number }

/** Prometheus text format 0.0.4: every line a `# HELP`/`# TYPE` comment or `name{label="v",...} value`. */
function parsePrometheus(text: string): Map<string, Sample[]> {
  const out = new Map<string, Sample[]>();
  const typed = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const comment = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (comment) {
      if (comment[1] === 'TYPE') { expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(comment[3]); typed.add(comment[2]); }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*)\})? ([-+]?(?:[0-9.]+(?:e[-+]?[0-9]+)?|Inf|NaN))$/.exec(line);
    expect(m, `not a Prometheus sample: ${line}`).not.toBeNull();
    const labels = Object.fromEntries([...(m![2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    expect(typed.has(m![1].replace(/_(bucket|sum|count)$/, '')) || typed.has(m![1]), `${m![1]} has no # TYPE`).toBe(true);
    out.set(m![1], [...(out.get(m![1]) ?? []), { labels, value: Number(m![3].replace('Inf', 'Infinity')) }]);
  }
  return out;
}
