// A link whose model lives on another origin asks before downloading: it names the origin and the size (from a
// HEAD request), nothing is fetched before the answer, and "no" loads the embedded default model instead.
import { readFileSync } from 'node:fs';
import { expect, test, type BrowserContext } from '@playwright/test';
import { STORIES, requireFile, shot } from './helpers.ts';

const REMOTE = 'https://models.example.org/stories/stories260K.gguf';

/** Serves stories260K as another origin would (with CORS), and records what was asked of it. */
async function remoteModel(context: BrowserContext): Promise<string[]> {
  const bytes = readFileSync(STORIES);
  const seen: string[] = [];
  await context.route('https://models.example.org/**', async (route) => {
    const method = route.request().method();
    seen.push(method);
    await route.fulfill({
      status: 200,
      headers: { 'access-control-allow-origin': '*', 'content-length': String(bytes.length), 'content-type': 'application/octet-stream' },
      body: method === 'HEAD' ? '' : bytes,
    });
  });
  return seen;
}

test('a model from another origin waits for a yes, showing origin and size', async ({ page, context }) => {
  requireFile(STORIES, 'The stories260K model');
  const seen = await remoteModel(context);
  await page.goto(`/?model=${encodeURIComponent(REMOTE)}`);
  const ask = page.getByRole('alertdialog', { name: 'Download a model from another site?' });
  await expect(ask).toContainText('https://models.example.org');
  await expect(ask).toContainText(/\(1\.\d+ MB\)/); // stories260K is 1.2 MB
  await expect(ask.getByRole('button', { name: /^Download 1\.\d+ MB from models\.example\.org$/ })).toBeFocused();
  await shot(page, 'link-consent');
  expect(seen).toEqual(['HEAD']); // nothing downloaded while it asks
  await ask.getByRole('button', { name: /^Download/ }).click();
  await expect(ask).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Model' }).getByText(`from ${REMOTE}`)).toBeVisible({ timeout: 60_000 });
  expect(seen).toContain('GET');
});

test('saying no loads the default model, and nothing is downloaded', async ({ page, context }) => {
  requireFile(STORIES, 'The stories260K model');
  const seen = await remoteModel(context);
  await page.goto(`/?model=${encodeURIComponent(REMOTE)}`);
  const ask = page.getByRole('alertdialog', { name: 'Download a model from another site?' });
  await ask.getByRole('button', { name: 'Use the default model instead' }).click();
  await expect(page.getByRole('region', { name: 'Model' }).getByText('from embedded default model')).toBeVisible({ timeout: 60_000 });
  expect(seen.filter((m) => m !== 'HEAD')).toEqual([]);
});
