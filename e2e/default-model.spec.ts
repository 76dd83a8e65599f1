// Spec 3: the embedded default model (public/models/) loads by itself when the page opens.
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { root, shot, skipWithReason } from './helpers.ts';

const modelsDir = resolve(root, 'public/models');
const hasDefault = existsSync(modelsDir) && readdirSync(modelsDir, { recursive: true }).some((f) => !String(f).startsWith('.'));

test('the default model loads automatically', async ({ page }) => {
  if (!hasDefault) skipWithReason(`no default model in ${modelsDir} yet: nothing to load automatically`);
  await page.goto('/');
  const model = page.getByRole('region', { name: 'Model' });
  await expect(model.getByText('from embedded default model')).toBeVisible({ timeout: 60_000 });
  await expect(model.getByTestId('load-error')).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Chat' }).getByRole('textbox', { name: 'Message', exact: true })).toBeEnabled();
  await shot(page, '3-default-model-1280-light');
});
