// `--engine webgpu`: runs a CLI op with the real WebGPU engine inside headless Chromium (SwiftShader on machines
// without a GPU). A Vite dev server serves the engine's TypeScript and WGSL; the model's bytes are served to the
// page from this process, so any local file works.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { chromiumArgs, chromiumPath } from '../chromium.ts';
import type { ModelRef } from './files.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

export async function runInBrowser<R>(ref: ModelRef, op: string, args: unknown): Promise<R> {
  const server = await createServer({
    root, logLevel: 'error', clearScreen: false,
    server: { host: '127.0.0.1', port: 0, hmr: false, watch: null },
    optimizeDeps: { noDiscovery: true, include: [] },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('could not start the local server for the WebGPU engine');
  const origin = `http://127.0.0.1:${address.port}`;
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs, headless: true });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    if (ref.kind === 'files') {
      const byName = new Map(ref.files.map((f) => [f.name, f.path]));
      await page.route(`${origin}/__cli_model__/**`, (route) => {
        const name = decodeURIComponent(new URL(route.request().url()).pathname.split('/').pop()!);
        const path = byName.get(name);
        return path ? route.fulfill({ status: 200, body: readFileSync(path) }) : route.fulfill({ status: 404, body: 'not found' });
      });
    }
    await page.goto(`${origin}/scripts/cli/page.html`);
    await page.waitForFunction(() => (window as unknown as { __cli?: unknown }).__cli !== undefined, null, { timeout: 60_000 })
      .catch(() => { throw new Error(`the WebGPU page did not start${errors.length ? `: ${errors[0]}` : ''}`); });
    const source = ref.kind === 'url' ? ref : { kind: 'files', names: ref.files.map((f) => f.name) };
    const result = await page.evaluate(([op, args, source]) =>
      (window as unknown as { __cli: (o: unknown, a: unknown, s: unknown) => Promise<unknown> }).__cli(op, args, source), [op, args, source] as const);
    const r = result as { ok: boolean; value?: R; error?: string };
    if (!r.ok) throw new Error(r.error);
    return r.value as R;
  } finally {
    await browser.close();
    await server.close();
  }
}
