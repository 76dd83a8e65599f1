// The CPU engine's threads in the page: `vite preview` sends COOP/COEP (scripts/vite/csp.ts), so the page is
// cross-origin isolated and may share memory with worker threads; the Model view's Threads control offers 1 to the
// cores and a link's `threads=` is kept. The default model's matrices are all too small to split (under 1M weights
// each), so it runs on one thread and the control says why after a reload. Chromium without the WebGPU flags: the
// CPU engine, as on a machine without WebGPU.
import { expect, test } from '@playwright/test';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.ts';
import { openWithTestModel, requireDefaultModel } from './helpers.ts';

const cpuArgs = chromiumArgs.filter((a) => !/webgpu|vulkan|swiftshader/i.test(a));
test.use({ launchOptions: { executablePath: chromiumPath(), args: cpuArgs } });

test('the page and its workers are served cross-origin isolated', async ({ page, request }) => {
  for (const path of ['/', '/index.html']) {
    const headers = (await request.get(path)).headers();
    expect(headers['cross-origin-opener-policy'], path).toBe('same-origin');
    expect(headers['cross-origin-embedder-policy'], path).toBe('credentialless');
  }
  await page.goto('/');
  expect(await page.evaluate(() => crossOriginIsolated && typeof SharedArrayBuffer === 'function')).toBe(true);
  const scripts = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.endsWith('.js')));
  expect(scripts.length).toBeGreaterThan(0);
  for (const url of scripts) expect((await request.get(url)).headers()['cross-origin-embedder-policy'], url).toBe('credentialless');
});

test('Threads: offered 1 to the cores on the CPU engine; the link keeps it; the default model stays on one and says why', async ({ page }) => {
  requireDefaultModel('the Threads control is tested on it');
  test.setTimeout(120_000);
  await openWithTestModel(page, '?threads=2&temperature=0&max_tokens=8');
  const model = page.getByRole('region', { name: 'Model' });
  await expect(model.getByTestId('model-engine')).toHaveText('CPU');
  const select = model.getByLabel('Threads');
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  await expect(select.locator('option')).toHaveCount(Math.min(16, Math.max(2, cores)));
  await expect(select).toHaveValue('1'); // asked for 2, but no matrix of this model is worth splitting
  expect(new URL(page.url()).searchParams.get('threads')).toBe('2');
  await expect(model.getByTestId('threads-hint')).toContainText(`this device has ${cores} cores`);

  await select.selectOption('2');
  await expect(model.getByTestId('threads-status')).toHaveText(/^Reloaded on 1 thread: this model’s matrices are all too small to split/, { timeout: 60_000 });
  expect(new URL(page.url()).searchParams.get('threads')).toBe('2');

  const chat = page.getByRole('region', { name: 'Chat' });
  await chat.getByRole('textbox', { name: 'Message', exact: true }).fill('Hello there.');
  await chat.getByRole('button', { name: 'Send' }).click();
  await expect(chat.getByRole('article', { name: 'Model message' }).last()).not.toBeEmpty({ timeout: 60_000 });
});
