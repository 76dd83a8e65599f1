// The built page under its strict Content-Security-Policy (scripts/vite/csp.ts): the meta tag is in the page and
// `vite preview` sends the header, so the Web Workers run under it too. Everything a person does (load the default
// model, chat, the token view, a lesson chapter with the lazy tokenizers, a pipeline run over stage workers, a Hub
// download checked by hash-wasm's WebAssembly in the worker) raises no violation, and the policy is enforced: an
// injected inline script does not run and is reported. (eval cannot be probed from here: Playwright's evaluate
// runs through the DevTools protocol, which Chromium exempts from the page's policy; the policy has no
// 'unsafe-eval', which the first test checks.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startHubStandin, writeShardedCopy } from '../tests/hub-standin.ts';
import { openWithTestModel, requireDefaultModel, root } from './helpers.ts';

/** Every violation the page or its workers report: the document's event, and Chromium's console line (workers). */
async function watchViolations(page: Page): Promise<string[]> {
  const seen: string[] = [];
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  page.on('console', (m) => { if (/content security policy|CSP violation/i.test(m.text())) seen.push(m.text()); });
  page.on('pageerror', (e) => { if (/content security policy/i.test(e.message)) seen.push(e.message); });
  return seen;
}

test('the policy: in the page and in the header, no unsafe-eval, no inline script, frame-ancestors none', async ({ request }) => {
  const response = await request.get('/');
  const header = response.headers()['content-security-policy'];
  expect(header).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(header).toContain("frame-ancestors 'none'");
  expect(response.headers()['x-content-type-options']).toBe('nosniff');
  const html = await response.text();
  const meta = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)"/)?.[1]?.replaceAll('&#39;', "'");
  expect(meta, 'the built index.html carries the policy').toBeTruthy();
  for (const policy of [meta!, header]) {
    expect(policy).not.toContain("'unsafe-eval'");
    expect(policy).not.toContain("'unsafe-inline'");
    expect(policy).toMatch(/(^|; )default-src 'self'(;|$)/);
    expect(policy).toMatch(/(^|; )worker-src 'self'(;|$)/);
    expect(policy).toMatch(/(^|; )object-src 'none'(;|$)/);
    expect(policy).toMatch(/(^|; )connect-src 'self' https:/);
  }
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script in the built page
});

test('chat, the token view and a pipeline run over stage workers raise no violation; the policy is enforced', async ({ page }) => {
  test.setTimeout(180_000);
  const seen = await watchViolations(page);
  await openWithTestModel(page, '?temperature=0&max_tokens=8&logprobs=true');
  const chat = page.getByRole('region', { name: 'Chat' });
  await chat.getByRole('textbox', { name: 'Message', exact: true }).fill('Hello there.');
  await chat.getByRole('button', { name: 'Send' }).click();
  const answer = chat.getByRole('article', { name: 'Model message' }).last();
  await answer.getByRole('button', { name: 'Tokens' }).click();
  await expect(answer.getByRole('group', { name: 'Answer tokens' }).getByRole('button').first()).toBeVisible({ timeout: 60_000 });

  const pipeline = page.getByRole('region', { name: 'Pipeline stages' });
  await pipeline.getByLabel('Stages (p)').selectOption('2');
  await pipeline.getByLabel('Tokens each').selectOption('16');
  await pipeline.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(pipeline.getByText('Bubble, measured')).toBeVisible({ timeout: 120_000 });
  expect(seen).toEqual([]);

  // Enforced, not just declared: an inline script injected into the page does not run, and it is reported.
  const ran = await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__inlineRan = true';
    document.head.append(s);
    return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
  });
  expect(ran).toBe(false);
  await expect.poll(() => seen.length).toBeGreaterThan(0);
  expect(seen.join('\n')).toMatch(/script-src/);
});

test('the lesson\'s tokenizers, loaded on demand, raise no violation', async ({ page }) => {
  requireDefaultModel('the lesson runs on the embedded default model');
  test.setTimeout(120_000);
  const seen = await watchViolations(page);
  await page.goto('/?lesson=tokens');
  const lesson = page.getByRole('region', { name: 'Lesson' });
  for (const id of ['tokens-llama3', 'tokens-llama2', 'tokens-cpt-model']) {
    await expect(lesson.getByTestId(id)).toHaveText(/\S/, { timeout: 60_000 });
  }
  expect(seen).toEqual([]);
});

test('a Hub download, its SHA-256 checked by WebAssembly in the worker, raises no violation', async ({ page }) => {
  requireDefaultModel('the stand-in Hub serves it');
  test.setTimeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'csp-e2e-'));
  writeShardedCopy(resolve(root, 'public/models/llama31-mini'), join(dir, 'sharded'));
  const hub = await startHubStandin({ repos: { 'test/sharded': { dir: join(dir, 'sharded') } } });
  try {
    const seen = await watchViolations(page);
    await page.addInitScript((url) => localStorage.setItem('hub-endpoint', url), hub.url);
    await page.goto('/');
    const model = page.getByRole('region', { name: 'Model' });
    await expect(model.getByTestId('model-name')).toBeVisible({ timeout: 60_000 });
    await model.getByLabel('Hub model id').fill('test/sharded');
    await model.getByRole('button', { name: 'Load from the Hub' }).click();
    const loaded = model.getByText('from hf:test/sharded', { exact: true });
    await expect(loaded.or(model.getByTestId('load-error'))).toBeVisible({ timeout: 90_000 });
    await expect(model.getByTestId('load-error')).toHaveCount(0);
    await expect(loaded).toBeVisible();
    expect(seen).toEqual([]);
  } finally {
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
