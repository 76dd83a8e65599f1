// `--engine webgpu`: runs a CLI op with the real WebGPU engine inside headless Chromium (SwiftShader on machines
// without a GPU). A Vite dev server serves the engine's TypeScript and WGSL, and the model's files from disk with
// HTTP Range support (scripts/serve-files.ts): the page reads tensors by range, as from the Hub, so a model of any
// size loads without passing through the DevTools pipe.
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { createServer } from 'vite';
import { chromiumArgs, chromiumPath } from '../chromium.ts';
import type { ModelRef } from './files.ts';
import { serveFiles } from '../serve-files.ts';
import type { LoadOptions } from '../../workers/api.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const MOUNT = '/__cli_model__/';

/** What the page is told: the model as a URL on the local server, load options, engine options. */
export interface PageRun { url: string; load: LoadOptions; bindingLimit?: number }

export interface EnginePage { page: Page; modelUrl: string; close(): Promise<void> }

/** Headless Chromium on a page that can run the WebGPU engine, with the model served by range from a local server. */
export async function openEnginePage(ref: ModelRef, opts: { ownSignals?: boolean } = {}): Promise<EnginePage> {
  const byName = new Map(ref.kind === 'files' ? ref.files.map((f) => [f.name, f.path]) : []);
  const sigterm = new Set(process.listeners('SIGTERM'));
  const server = await createServer({
    root, logLevel: 'error', clearScreen: false,
    server: { host: '127.0.0.1', port: 0, hmr: false, watch: null },
    optimizeDeps: { noDiscovery: true, include: [] },
    plugins: [{ name: 'cli-model-files', configureServer: (s) => { s.middlewares.use(MOUNT, serveFiles((name) => byName.get(name) ?? null)); } }],
  });
  await server.listen();
  // Vite exits the process on SIGTERM (status 143) before the caller's own shutdown: the caller's handler decides
  if (opts.ownSignals) for (const l of process.listeners('SIGTERM')) if (!sigterm.has(l)) process.off('SIGTERM', l);
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('could not start the local server for the WebGPU engine');
  const origin = `http://127.0.0.1:${address.port}`;
  // ownSignals: the caller closes the browser on SIGINT/SIGTERM itself (Playwright's handlers would exit at once)
  const signals = opts.ownSignals ? { handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false } : {};
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs, headless: true, ...signals });
  const close = async () => { await browser.close(); await server.close(); };
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${origin}/scripts/cli/page.html`);
    await page.waitForFunction(() => (window as unknown as { __cli?: unknown }).__cli !== undefined, null, { timeout: 60_000 })
      .catch(() => { throw new Error(`the WebGPU page did not start${errors.length ? `: ${errors[0]}` : ''}`); });
    // a folder is served under its name (the loader finds config.json, the index and the shards there)
    const folder = ref.kind === 'files' && ref.files.length > 1 || ref.kind === 'files' && ref.files[0].name.includes('/');
    const modelUrl = ref.kind === 'url' ? ref.url
      : folder ? `${origin}${MOUNT}${encodeURIComponent(ref.files[0].name.split('/')[0])}/` : `${origin}${MOUNT}${encodeURIComponent(ref.files[0].name)}`;
    return { page, modelUrl, close };
  } catch (e) {
    await close();
    throw e;
  }
}

export async function runInBrowser<R>(ref: ModelRef, op: string, args: unknown, load: LoadOptions = {}, bindingLimit?: number): Promise<R> {
  const { page, modelUrl, close } = await openEnginePage(ref);
  try {
    const run: PageRun = { url: modelUrl, load, bindingLimit };
    const result = await page.evaluate(([op, args, run]) =>
      (window as unknown as { __cli: (o: unknown, a: unknown, r: unknown) => Promise<unknown> }).__cli(op, args, run), [op, args, run] as const);
    const r = result as { ok: boolean; value?: R; error?: string };
    if (!r.ok) throw new Error(r.error);
    return r.value as R;
  } finally {
    await close();
  }
}
