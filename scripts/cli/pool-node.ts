// The CPU engine's matvec pool threads in Node (the CLI, benchmarks, Vitest): worker_threads running
// scripts/cli/pool-thread.ts. A worker does not inherit tsx's loader (nor takes `--import tsx` in its execArgv on
// Node 20), so its first lines register tsx's ESM API, found through tsx's package exports. unref: a pool never
// keeps the process alive.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PoolThreadPort, SpawnPoolThread } from '../../workers/cpu-pool/protocol.ts';

let bootstrap: string | null = null;

/** The worker's code: register tsx, then import the thread's TypeScript. */
function bootstrapCode(): string {
  if (bootstrap) return bootstrap;
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  const api = (JSON.parse(readFileSync(pkg, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports['./esm/api'].import.default;
  const tsx = pathToFileURL(join(dirname(pkg), api)).href, entry = new URL('./pool-thread.ts', import.meta.url).href;
  bootstrap = `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); })`;
  return bootstrap;
}

export const nodePoolThread: SpawnPoolThread = (index, hear): PoolThreadPort => {
  const worker = new Worker(bootstrapCode(), { eval: true, name: `cpu pool ${index}` });
  worker.on('message', hear);
  worker.on('error', (e: Error) => hear({ type: 'failed', index, message: e.message }));
  worker.unref();
  return { post: (m) => worker.postMessage(m), terminate: () => void worker.terminate() };
};
