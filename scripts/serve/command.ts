// `npm run -s cli -- serve`: loads the model, starts the server, says where it listens, and runs until SIGINT or
// SIGTERM (then finishes the connections and exits).
import type { LoadOptions } from '../../workers/api.ts';
import { loadEngine } from '../cli/files.ts';
import { servedCpuEngine, type ServedEngine } from './engine.ts';
import { startServer } from './server.ts';

export interface ServeArgs { model: string | undefined; engine: 'cpu' | 'webgpu'; bindingLimit?: number; host: string; port: number; apiKey: string | null; load: LoadOptions }

export async function serveCommand(a: ServeArgs): Promise<void> {
  const { served, precision, close } = await openEngine(a);
  const s = await startServer(served, { host: a.host, port: a.port, apiKey: a.apiKey });
  const local = a.host === '127.0.0.1' || a.host === 'localhost' || a.host === '::1';
  process.stdout.write(`serving ${served.modelId} (${served.kind} engine, ${precision}, context ${served.context}) at ${s.url}/v1\n`);
  process.stdout.write(local ? `listening on ${a.host} only (this machine); --host 0.0.0.0 accepts other machines\n`
    : `listening on ${a.host}: reachable from other machines${a.apiKey ? '' : ', with no --api-key'}\n`);
  if (a.apiKey) process.stdout.write('requests to /v1/* need the header Authorization: Bearer <the --api-key>\n');
  await new Promise<void>((resolve) => {
    const end = () => { void s.close().then(close).then(resolve); };
    process.once('SIGINT', end);
    process.once('SIGTERM', end);
  });
}

/** The CPU engine in this process, or the WebGPU engine in headless Chromium (scripts/serve/browser-engine.ts). */
async function openEngine(a: ServeArgs): Promise<{ served: ServedEngine; precision: string; close: () => Promise<void> }> {
  if (a.engine === 'webgpu') {
    const { servedBrowserEngine } = await import('./browser-engine.ts'); // Vite and Playwright load only for this engine
    const served = await servedBrowserEngine(a.model, a.load, a.bindingLimit);
    return { served, precision: served.precision, close: served.close };
  }
  const engine = await loadEngine(a.model, a.load);
  return { served: servedCpuEngine(engine), precision: engine.loaded().forward.precision.preset, close: async () => undefined };
}
