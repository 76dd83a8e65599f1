// Spec 1: load the real 260K model through the file input, watch an answer stream, and stop it.
import { expect, test } from '@playwright/test';
import { STORIES, loadFile, openApp, requireFile, setSampling, shot } from './helpers.ts';

test('loads stories260K from a file, streams tokens with a tok/s figure, and Stop ends generation', async ({ page }) => {
  requireFile(STORIES, 'The stories260K model');
  await openApp(page);
  await loadFile(page, STORIES, 'stories260K.gguf');

  const chat = page.getByRole('region', { name: 'Chat' });
  // The 260K model has no chat template: the UI says it continues raw text.
  await expect(chat.getByTestId('chat-mode')).toContainText('Completion mode');

  // A long generation, so there is time to see it stream and to stop it; the setting lands in the URL.
  await setSampling(page, 'Max tokens', '4000');
  await expect(page).toHaveURL(/max_tokens=4000/);

  const input = chat.getByRole('textbox', { name: 'Message', exact: true });
  const send = chat.getByRole('button', { name: 'Send' });
  const stopButton = chat.getByRole('button', { name: 'Stop' });
  await input.fill('Once upon a time');
  await send.click();

  // Tokens stream: the answer is non-empty and then grows while generation is still running.
  const answer = chat.getByTestId('assistant-message').last();
  await expect(stopButton).toBeEnabled();
  await expect.poll(async () => (await answer.innerText()).trim().length, { timeout: 60_000 }).toBeGreaterThan(0);
  const early = (await answer.innerText()).length;
  await expect.poll(async () => (await answer.innerText()).length, { timeout: 30_000 }).toBeGreaterThan(early);
  await expect(stopButton).toBeEnabled(); // still generating: we saw it grow mid-stream

  // A live decode tok/s figure appears.
  const throughput = page.getByRole('region', { name: 'Throughput' });
  await expect(throughput.getByTestId('figure-decode')).toHaveText(/^\d[\d,.]*$/);
  await expect(throughput.getByTestId('figure-tokens')).toHaveText(/^[1-9][\d,]*$/);
  await shot(page, '1-streaming-1280-light');

  // Type the next prompt while it generates: Send stays disabled until generation ends.
  await input.fill('The end');
  await expect(send).toBeDisabled();
  await stopButton.click();

  await expect(send).toBeEnabled({ timeout: 10_000 });
  await expect(stopButton).toBeDisabled();
  await expect(answer.locator('xpath=..')).toContainText('stopped by you');
  const stopped = await answer.innerText();
  // No clock: the worker runs one generation at a time, so once the next answer streams, any token of the stopped
  // one would already have arrived; the stopped answer must be exactly as it was.
  const messages = chat.getByTestId('assistant-message');
  const count = await messages.count();
  await send.click();
  await expect(messages).toHaveCount(count + 1);
  await expect.poll(async () => (await messages.last().innerText()).trim().length, { timeout: 60_000 }).toBeGreaterThan(0);
  expect(await messages.nth(count - 1).innerText()).toBe(stopped);
  await stopButton.click();
  await expect(stopButton).toBeDisabled({ timeout: 10_000 });

  // Screenshots for review: laptop and phone widths, light and dark.
  await shot(page, '1-stopped-1280-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForTimeout(300); // let colour transitions finish
  await shot(page, '1-stopped-1280-dark');
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, '1-stopped-390-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.waitForTimeout(300);
  await shot(page, '1-stopped-390-light');
});
