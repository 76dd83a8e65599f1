// Spec 2: a corrupt model file shows the engine's one-line error, and the model loaded before keeps working.
import { writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { STORIES, loadFile, openApp, requireFile, setSampling, shot } from './helpers.ts';

test('a corrupt .gguf shows a one-line error and the previous model still answers', async ({ page }, testInfo) => {
  requireFile(STORIES, 'The stories260K model');
  await openApp(page);
  await loadFile(page, STORIES, 'stories260K.gguf');

  // A few random bytes named like a model.
  const bad = testInfo.outputPath('bad.gguf');
  const bytes = new Uint8Array(64);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 73 + 41) & 0xff;
  writeFileSync(bad, bytes);

  const model = page.getByRole('region', { name: 'Model' });
  await model.getByLabel('Model file').setInputFiles(bad);
  const error = model.getByTestId('load-error');
  await expect(error).toBeVisible({ timeout: 30_000 });
  const message = await error.innerText();
  expect(message.trim().length).toBeGreaterThan(0);
  expect(message).not.toContain('\n'); // one line
  expect(message).not.toMatch(/\bat .+:\d+:\d+/); // no stack trace

  // The previous model is still the loaded one, and it still answers (Enter sends).
  await expect(model.getByText('from stories260K.gguf')).toBeVisible();
  await setSampling(page, 'Max tokens', '24');
  const chat = page.getByRole('region', { name: 'Chat' });
  await chat.getByRole('textbox', { name: 'Message', exact: true }).fill('Once upon a time');
  await chat.getByRole('textbox', { name: 'Message', exact: true }).press('Enter');
  const answer = chat.getByTestId('assistant-message').last();
  await expect(chat.getByRole('button', { name: 'Stop' })).toBeDisabled({ timeout: 60_000 });
  await expect(answer).not.toHaveText('');
  await expect(answer.locator('xpath=..')).not.toContainText('failed');
  await shot(page, '2-corrupt-file-1280-light');
});
