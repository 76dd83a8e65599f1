// What the page benchmarks share (scripts/bench/wllama.ts, threads.ts): a Vite dev server over the repository (its
// vite.config.ts, so the app's COOP/COEP headers) that also serves model files under MOUNT, one headless Chromium
// without WebGPU flags (navigator.gpu has no adapter: the engine runs on the CPU, as for such a visitor), and a page
// that sets window.__bench.
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { chromiumPath } from '../chromium.ts';
import { serveFiles } from '../serve-files.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where `files` are served, under the server's origin. */
export const MOUNT = '/__bench_model__/';

/**
 * Opens `page` (a path under the repository, e.g. /scripts/bench/threads-page.html), waits for its window.__bench and
 * returns what __bench(args(origin)) resolves to. `files` maps a name under MOUNT to a file on disk (null: not ours).
 * Page lines starting "bench: " are copied to stderr, as progress.
 */
export async function runBenchPage<A, R>(page: string, files: (name: string) => string | null, args: (origin: string) => A): Promise<R> {
  const server = await createServer({
    root: ROOT, logLevel: 'error', clearScreen: false,
    server: { host: '127.0.0.1', port: 0, hmr: false, watch: null },
    plugins: [{ name: 'bench-model', configureServer: (s) => { s.middlewares.use(MOUNT, serveFiles(files)); } }],
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('could not start the local server');
  const origin = `http://127.0.0.1:${address.port}`;
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'], headless: true });
  try {
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    tab.on('console', (m) => { if (m.text().startsWith('bench: ')) console.error(m.text()); });
    await tab.goto(`${origin}${page}`);
    await tab.waitForFunction(() => (window as unknown as { __bench?: unknown }).__bench !== undefined, null, { timeout: 120_000 })
      .catch(() => { throw new Error(`the bench page did not start${errors.length ? `: ${errors[0]}` : ''}`); });
    const r = await tab.evaluate((a) => (window as unknown as { __bench: (a: unknown) => Promise<{ ok: boolean; value?: unknown; error?: string }> }).__bench(a), args(origin));
    if (!r.ok) throw new Error(`in the page: ${r.error}`);
    return r.value as R;
  } finally {
    await browser.close();
    await server.close();
  }
}

/** Chromium's version, for the machine line. */
export async function chromiumVersion(): Promise<string> {
  const b = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'], headless: true });
  try { return `Chromium ${b.version()}`; } finally { await b.close(); }
}
