// `cli serve`: the engine behind an OpenAI-compatible HTTP server (node:http). One generation runs at a time;
// the rest queue (scripts/serve/queue.ts).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServedEngine } from './engine.ts';
import { GenerationQueue } from './queue.ts';
import { ServerMetrics } from './metrics.ts';
import { router } from './router.ts';

export interface ServeOptions { host: string; port: number; apiKey: string | null }

export interface RunningServer { url: string; server: Server; metrics: ServerMetrics; queue: GenerationQueue; close(): Promise<void> }

export async function startServer(engine: ServedEngine, opts: ServeOptions): Promise<RunningServer> {
  const queue = new GenerationQueue();
  const metrics = new ServerMetrics(() => queue.length, () => (queue.busy ? 1 : 0));
  const handle = router({ engine, queue, metrics }, { apiKey: opts.apiKey, created: Math.floor(Date.now() / 1000) });
  const server = createServer((req, res) => { void handle(req, res); });
  server.keepAliveTimeout = 65_000; // longer than common proxies' and clients' idle timeouts
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => { server.off('error', reject); resolve(); });
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}`, server, metrics, queue,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
