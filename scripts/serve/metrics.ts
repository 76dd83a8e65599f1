// Prometheus text exposition (format 0.0.4): counters, gauges and histograms, what vLLM's /metrics reports under the
// names a Prometheus user expects (seconds, `_total` counters, cumulative `le` buckets ending at +Inf).

type Labels = Record<string, string>;

const labelText = (l: Labels) => {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};
const fmt = (x: number) => (Number.isFinite(x) ? String(x) : x > 0 ? '+Inf' : x < 0 ? '-Inf' : 'NaN');

interface Metric { render(): string[] }

export class Counter implements Metric {
  private values = new Map<string, { labels: Labels; value: number }>();
  constructor(readonly name: string, readonly help: string) {}
  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    const v = this.values.get(key) ?? { labels, value: 0 };
    v.value += by;
    this.values.set(key, v);
  }
  get(labels: Labels = {}): number { return this.values.get(labelText(labels))?.value ?? 0; }
  render(): string[] {
    const rows = [...this.values.values()].map((v) => `${this.name}${labelText(v.labels)} ${fmt(v.value)}`);
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`, ...(rows.length ? rows : [`${this.name} 0`])];
  }
}

export class Gauge implements Metric {
  constructor(readonly name: string, readonly help: string, private readonly read: () => number) {}
  render(): string[] { return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`, `${this.name} ${fmt(this.read())}`]; }
}

export class Histogram implements Metric {
  private counts: number[];
  private sum = 0;
  private count = 0;
  constructor(readonly name: string, readonly help: string, readonly buckets: number[]) {
    this.counts = buckets.map(() => 0);
  }
  observe(x: number): void {
    this.sum += x;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) if (x <= this.buckets[i]) this.counts[i]++;
  }
  render(): string[] {
    return [
      `# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`,
      ...this.buckets.map((b, i) => `${this.name}_bucket{le="${b}"} ${this.counts[i]}`),
      `${this.name}_bucket{le="+Inf"} ${this.count}`,
      `${this.name}_sum ${fmt(this.sum)}`,
      `${this.name}_count ${this.count}`,
    ];
  }
}

// latency buckets in seconds, from a tiny model's sub-millisecond tokens on a CPU to an 8B model's seconds
const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80];

/** What the server measures. Latencies are the server's view: from the request's arrival (queueing included). */
export class ServerMetrics {
  readonly requests = new Counter('llama_requests_total', 'HTTP requests by endpoint and status code.');
  readonly promptTokens = new Counter('llama_prompt_tokens_total', 'Prompt tokens of finished generations.');
  readonly generationTokens = new Counter('llama_generation_tokens_total', 'Tokens generated.');
  readonly finished = new Counter('llama_request_success_total', 'Generations finished, by finish reason.');
  readonly ttft = new Histogram('llama_time_to_first_token_seconds', 'Time from a request\'s arrival to its first token.', SECONDS);
  readonly itl = new Histogram('llama_inter_token_latency_seconds', 'Time between two consecutive tokens of one generation.', SECONDS);
  readonly e2e = new Histogram('llama_e2e_request_latency_seconds', 'Time from a request\'s arrival to its last token.', SECONDS);
  private readonly all: Metric[];

  constructor(queueLength: () => number, running: () => number) {
    this.all = [
      this.requests, this.promptTokens, this.generationTokens, this.finished, this.ttft, this.itl, this.e2e,
      new Gauge('llama_num_requests_waiting', 'Generations queued behind the running one.', queueLength),
      new Gauge('llama_num_requests_running', 'Generations running (at most 1: one KV cache).', running),
    ];
  }

  render(): string { return `${this.all.flatMap((m) => m.render()).join('\n')}\n`; }
}
