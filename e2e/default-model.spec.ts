// Spec 3: the embedded default model (public/models/) loads by itself when the page opens.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { requireDefaultModel, root, shot } from './helpers.ts';

test('the default model loads automatically', async ({ page }) => {
  requireDefaultModel('nothing to load automatically');
  await page.goto('/');
  const model = page.getByRole('region', { name: 'Model' });
  await expect(model.getByText('from embedded default model')).toBeVisible({ timeout: 60_000 });
  await expect(model.getByTestId('load-error')).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Chat' }).getByRole('textbox', { name: 'Message', exact: true })).toBeEnabled();
  await shot(page, '3-default-model-1280-light');
});

test('the weights are served as the file’s bytes, not compressed on the fly; the JSON files still are', async ({ request }) => {
  requireDefaultModel('no weights to serve');
  const folder = '/models/llama31-mini/';
  const weights = await request.get(`${folder}model.safetensors`, { headers: { 'Accept-Encoding': 'gzip, br' } });
  expect(weights.status()).toBe(200);
  expect(weights.headers()['content-encoding']).toBeUndefined();
  expect(Number(weights.headers()['content-length'])).toBe(statSync(join(root, 'public', folder, 'model.safetensors')).size);
  const ranged = await request.get(`${folder}model.safetensors`, { headers: { 'Accept-Encoding': 'gzip', Range: 'bytes=8-4095' } });
  expect([ranged.status(), ranged.headers()['content-encoding'], ranged.headers()['content-length']]).toEqual([206, undefined, '4088']);
  const tokenizer = await request.get(`${folder}tokenizer.json`, { headers: { 'Accept-Encoding': 'gzip' } });
  expect(tokenizer.headers()['content-encoding']).toBe('gzip'); // the middleware picks model files only
});
