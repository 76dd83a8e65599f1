// Spec 3: the embedded default model (public/models/) loads by itself when the page opens.
import { expect, test } from '@playwright/test';
import { requireDefaultModel, shot } from './helpers.ts';

test('the default model loads automatically', async ({ page }) => {
  requireDefaultModel('nothing to load automatically');
  await page.goto('/');
  const model = page.getByRole('region', { name: 'Model' });
  await expect(model.getByText('from embedded default model')).toBeVisible({ timeout: 60_000 });
  await expect(model.getByTestId('load-error')).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Chat' }).getByRole('textbox', { name: 'Message', exact: true })).toBeEnabled();
  await shot(page, '3-default-model-1280-light');
});
